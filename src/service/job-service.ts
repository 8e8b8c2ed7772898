import type { JobRecord, JobStatus } from '../core/execution.js';
import { newId } from '../core/ids.js';
import type { Access } from '../core/principal.js';
import type { TaskRecord } from '../core/task.js';
import { vmNotRunning } from '../core/vm.js';
import { recordAndEnqueue } from './dispatch.js';
import type { JobInput, TaskOptions } from './inputs.js';
import { listScope } from './list-scope.js';
import type { ServiceDeps, ServiceSettings } from './service-context.js';
import { requireVm, visibleOr } from './visibility.js';
import { EXEC_TASK_GRACE_MS, execSpecOf, newVmTask } from './vm-task.js';

/** Jobs: named sequences of commands run in one VM as a single `job:run` task. */
export class JobService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly settings: Pick<ServiceSettings, 'timeouts'>,
  ) {}

  /** The job's limit, unless asked: its steps' limits added up, plus the round-trip grace. */
  async run(
    access: Access,
    vmIdOrName: string,
    input: JobInput,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; job: JobRecord }> {
    const vm = await requireVm(this.deps.store, access, vmIdOrName);
    if (vm.status !== 'running') throw vmNotRunning(vm, 'jobs run');
    const steps = input.steps.map((step) => execSpecOf(step, this.settings.timeouts['vm:execute']));
    const job = await this.deps.store.insertJob({
      id: newId(),
      project: vm.project,
      name: input.name,
      vmId: vm.id,
      taskId: null,
      steps: steps.map(({ stdin: _stdin, ...step }) => step),
    });
    const total = steps.reduce((sum, step) => sum + step.timeoutMs, 0) + EXEC_TASK_GRACE_MS;
    const task = await recordAndEnqueue(
      this.deps,
      newVmTask(
        'job:run',
        { jobId: job.id, vmId: vm.id },
        vm,
        { ...options, timeoutMs: options.timeoutMs ?? total },
        this.settings.timeouts,
      ),
      { vm },
    );
    const withTask = (await this.deps.store.updateJob(job.id, { taskId: task.id })) ?? job;
    return { task, job: withTask };
  }

  async get(access: Access, id: string): Promise<JobRecord> {
    return visibleOr(access, await this.deps.store.getJob(id), 'ERR_JOB_NOT_FOUND', `no job with id ${id}`);
  }

  /** The caller's jobs (every project's for an `all` access), newest first. */
  async list(
    access: Access,
    filter: { status?: readonly JobStatus[]; vm?: string; limit: number },
  ): Promise<JobRecord[]> {
    const scope = await listScope(this.deps.store, access, filter.vm);
    return this.deps.store.listJobs({
      ...scope,
      ...(filter.status ? { status: filter.status } : {}),
      limit: filter.limit,
    });
  }
}
