import type { ErrorCode, WireError } from './errors.js';

export interface ExecutionRecord {
  id: string;
  project: string;
  vmId: string;
  taskId: string | null;
  jobId: string | null;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  timedOut: boolean;
  /** The signal that ended the command (`SIGTERM`...), as its driver reported it; else null. */
  signal: string | null;
  error: WireError | null;
  startedAt: Date | null;
  completedAt: Date | null;
  durationMs: number | null;
  createdAt: Date;
}

export const JOB_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A named list of commands run in one VM, in order; stops at the first failing step. */
export interface JobRecord {
  id: string;
  project: string;
  name: string;
  vmId: string;
  taskId: string | null;
  status: JobStatus;
  steps: JobStep[];
  results: JobStepResult[];
  createdAt: Date;
  updatedAt: Date;
}

export interface JobStep {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  timeoutMs: number;
}

export interface JobStepResult {
  executionId: string;
  exitCode: number | null;
  error: WireError | null;
}

/**
 * What became of an execution, in one word: `exited` (with its exit code), `timed_out`,
 * `signalled` (ended by a signal before its time limit; `signal` names it), `failed` (it could
 * not run), `cancelled`, `unknown` — its worker died or was stopped while it ran, so it may have
 * had effects, wholly or in part; it is never silently run again — or `not_started`: its worker
 * died or stopped before any attempt took it, so nothing of it ran and it is safe to submit again.
 */
export type ExecutionState =
  | 'pending'
  | 'running'
  | 'exited'
  | 'timed_out'
  | 'signalled'
  | 'failed'
  | 'cancelled'
  | 'unknown'
  | 'not_started';

/** Error codes of an execution whose worker died or stopped while it ran (its outcome: `unknown`). */
export const UNKNOWN_OUTCOME: ReadonlySet<ErrorCode> = new Set([
  'ERR_TASK_INTERRUPTED',
  'ERR_WORKER_LOST',
  'ERR_WORKER_DRAINING',
]);

export function executionState(execution: ExecutionRecord): ExecutionState {
  if (!execution.completedAt) return execution.startedAt ? 'running' : 'pending';
  if (execution.timedOut) return 'timed_out';
  if (execution.exitCode !== null) return 'exited';
  if (execution.signal !== null) return 'signalled';
  if (execution.error && UNKNOWN_OUTCOME.has(execution.error.code)) return 'unknown';
  if (execution.error?.code === 'ERR_TASK_NOT_STARTED') return 'not_started';
  if (execution.error?.code === 'ERR_TASK_CANCELLED') return 'cancelled';
  return 'failed';
}
