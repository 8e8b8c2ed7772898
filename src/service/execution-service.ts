import type { ExecutionRecord, ExecutionState } from '../core/execution.js';
import { newId } from '../core/ids.js';
import type { Access } from '../core/principal.js';
import type { TaskRecord } from '../core/task.js';
import { vmNotRunning } from '../core/vm.js';
import { recordAndEnqueue } from './dispatch.js';
import type { ExecuteInput, TaskOptions } from './inputs.js';
import { listScope } from './list-scope.js';
import { RunningVms } from './running-vms.js';
import type { ServiceDeps, ServiceSettings } from './service-context.js';
import { requireExecution, requireVm } from './visibility.js';
import { EXEC_TASK_GRACE_MS, execSpecOf, newVmTask } from './vm-task.js';

/** Commands run in a VM: started as a `vm:execute` task, read back with their stored output. */
export class ExecutionService {
  private readonly runningVms: RunningVms;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly settings: Pick<ServiceSettings, 'timeouts'>,
  ) {
    this.runningVms = new RunningVms(deps.events);
  }

  /** Records the execution with its task; `timeoutMs` is the command's limit as it will run. */
  async start(
    access: Access,
    vmIdOrName: string,
    input: ExecuteInput,
    options: TaskOptions = {},
  ): Promise<{ task: TaskRecord; executionId: string; timeoutMs: number }> {
    const vm = await this.runningVms.resolve(this.deps.store, access, vmIdOrName);
    if (vm.status !== 'running') throw vmNotRunning(vm, 'commands run');
    const exec = execSpecOf(input, this.settings.timeouts['vm:execute']);
    const executionId = newId();
    const payload = { vmId: vm.id, executionId, exec, ...(input.retrySafe ? { retrySafe: true } : {}) };
    const newTask = newVmTask(
      'vm:execute',
      payload,
      vm,
      { ...options, timeoutMs: options.timeoutMs ?? exec.timeoutMs + EXEC_TASK_GRACE_MS },
      this.settings.timeouts,
    );
    const task = await recordAndEnqueue(this.deps, newTask, {
      vm,
      execution: {
        id: executionId,
        project: vm.project,
        vmId: vm.id,
        taskId: newTask.id,
        jobId: null,
        command: exec.command,
        args: exec.args,
        env: exec.env,
        cwd: exec.cwd,
      },
    });
    return { task, executionId, timeoutMs: exec.timeoutMs };
  }

  get(access: Access, id: string): Promise<ExecutionRecord> {
    return requireExecution(this.deps.store, access, id);
  }

  /** Drops the event subscription of the running VMs it keeps (before the event bus closes). */
  close(): void {
    this.runningVms.close();
  }

  /** A VM's executions, newest first; deleted VMs included. */
  async list(access: Access, vmIdOrName: string, limit?: number): Promise<ExecutionRecord[]> {
    const vm = await requireVm(this.deps.store, access, vmIdOrName, { includeDeleted: true });
    return this.deps.store.listExecutions(vm.id, limit === undefined ? undefined : { limit });
  }

  /** The caller's executions across its VMs (every project's for an `all` access), newest first. */
  async listAll(
    access: Access,
    filter: { outcomes?: readonly ExecutionState[]; vm?: string; limit: number },
  ): Promise<ExecutionRecord[]> {
    const scope = await listScope(this.deps.store, access, filter.vm);
    return this.deps.store.queryExecutions({
      ...scope,
      ...(filter.outcomes ? { outcomes: filter.outcomes } : {}),
      limit: filter.limit,
    });
  }
}
