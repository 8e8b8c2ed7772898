import { newId } from '../core/ids.js';
import type { NewTask } from '../core/store.js';
import { type ExecSpec, TASK_POLICIES, type TaskRecord, type TaskType } from '../core/task.js';
import type { VmRecord } from '../core/vm.js';
import type { ExecuteInput, TaskOptions } from './inputs.js';

/** Grace on top of an execution's own limit, for the VM round trip and the store writes. */
export const EXEC_TASK_GRACE_MS = 30_000;

/** A task on a VM belongs to the VM's project; its retries are its type's, its limit the default one unless asked. */
export function newVmTask<T extends TaskType>(
  type: T,
  payload: TaskRecord<T>['payload'],
  vm: VmRecord,
  options: TaskOptions,
  timeouts: Record<TaskType, number>,
): NewTask<T> {
  return {
    id: newId(),
    project: vm.project,
    type,
    priority: options.priority ?? 'default',
    payload,
    vmId: vm.id,
    maxRetries: TASK_POLICIES[type].maxRetries,
    timeoutMs: options.timeoutMs ?? timeouts[type],
  };
}

/** A command as a worker runs it: every field filled, the limit the one asked for or `defaultTimeoutMs`. */
export function execSpecOf(input: ExecuteInput, defaultTimeoutMs: number): ExecSpec {
  return {
    command: input.command,
    args: input.args ?? [],
    env: input.env ?? {},
    cwd: input.cwd ?? null,
    stdin: input.stdin ?? null,
    timeoutMs: input.timeoutMs ?? defaultTimeoutMs,
  };
}
