// A job's steps joined with what became of each: its result (once it ended) and its execution.
import { get, type Schemas, seg } from '../../lib/api';

type Job = Schemas['Job'];
type Execution = Schemas['Execution'];

export interface JobStep {
  index: number;
  spec: Job['steps'][number];
  result: Job['results'][number] | null;
  /** The step's execution, once it has one: ended, or running now. */
  execution: Execution | null;
  /** `succeeded`, `failed`, `running`, `pending` (not reached yet), or `skipped` (never will be). */
  state: 'succeeded' | 'failed' | 'running' | 'pending' | 'skipped';
}

export interface JobView {
  job: Job;
  steps: JobStep[];
  /** The execution of the step under way, while the job runs. */
  running: Execution | null;
}

/** An execution, or null when it cannot be read: the step still shows what the job says. */
function executionOrNull(id: string, signal: AbortSignal): Promise<Execution | null> {
  return get<Execution>(`/executions/${seg(id)}`, undefined, signal).catch(() => null);
}

/** A job's steps only record an execution when they end; the one under way is found by its VM. */
async function runningStep(job: Job, signal: AbortSignal): Promise<Execution | null> {
  if (job.status !== 'running') return null;
  const { executions } = await get<Schemas['ExecutionList']>(
    '/executions',
    { vm: job.vm_id, status: 'pending,running', limit: 20 },
    signal,
  ).catch(() => ({ executions: [] as Execution[] }));
  const known = new Set(job.results.map((result) => result.execution_id));
  return executions.find((execution) => execution.job_id === job.id && !known.has(execution.id)) ?? null;
}

/** How a step stands, from the job's status and the results recorded so far. */
export function stepStateOf(job: Job, index: number): JobStep['state'] {
  const result = job.results[index];
  if (result) return result.error || result.exit_code !== 0 ? 'failed' : 'succeeded';
  if (index === job.results.length && job.status === 'running') return 'running';
  return job.status === 'pending' || job.status === 'running' ? 'pending' : 'skipped';
}

export async function loadJobView(id: string, signal: AbortSignal): Promise<JobView> {
  const job = await get<Job>(`/jobs/${seg(id)}`, undefined, signal);
  const [ended, running] = await Promise.all([
    Promise.all(job.results.map((result) => executionOrNull(result.execution_id, signal))),
    runningStep(job, signal),
  ]);
  const steps = job.steps.map((spec, index): JobStep => {
    const state = stepStateOf(job, index);
    return {
      index,
      spec,
      result: job.results[index] ?? null,
      execution: ended[index] ?? (state === 'running' ? running : null),
      state,
    };
  });
  return { job, steps, running };
}
