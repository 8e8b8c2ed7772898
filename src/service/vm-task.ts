import { AetherError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { NewTask } from '../core/store.js';
import {
  type ExecSpec,
  LONGEST_COMMAND_TIMEOUT_MS,
  TASK_POLICIES,
  type TaskRecord,
  type TaskType,
} from '../core/task.js';
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

/**
 * A command as a worker runs it: every field filled, the limit the one asked for (0: the longest
 * there is) or `defaultTimeoutMs`. The task's own deadline is derived from this limit by callers.
 */
export function execSpecOf(input: ExecuteInput, defaultTimeoutMs: number): ExecSpec {
  if (input.stdinStream && input.stdin != null) {
    throw new AetherError(
      'ERR_VALIDATION',
      'stdin and stdin_stream exclude each other: send text in `stdin`, or stream it with `stdin_stream`',
    );
  }
  return {
    command: input.command,
    args: input.args ?? [],
    env: input.env ?? {},
    cwd: input.cwd ?? null,
    stdin: input.stdin ?? null,
    ...(input.stdinStream ? { stdinStream: true } : {}),
    timeoutMs: input.timeoutMs === 0 ? LONGEST_COMMAND_TIMEOUT_MS : (input.timeoutMs ?? defaultTimeoutMs),
  };
}
