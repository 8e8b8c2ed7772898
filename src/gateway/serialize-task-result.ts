import type { Access } from '../core/principal.js';
import type { TaskRecord, TaskResults } from '../core/task.js';
import type { Services } from '../service/services.js';

/**
 * A task's result as the API writes it. Our keys stay for our SDK (`vmId`, `exitCode`); each is
 * also written under the original system's snake_case name (`vm_id`, `exit_code`), and a
 * command's result names its VM (`vm_id`), as the original's did. `details` adds what other
 * records hold (see resultDetails).
 */
export function taskResultJson(task: TaskRecord, details: Record<string, unknown> = {}): unknown {
  const { result } = task;
  if (result === null || typeof result !== 'object') return result;
  const out: Record<string, unknown> = { ...result };
  for (const [key, value] of Object.entries(result)) {
    const snake = key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    if (!Object.hasOwn(out, snake)) out[snake] = value;
  }
  if (task.type === 'vm:execute' && task.vmId !== null && !Object.hasOwn(out, 'vm_id')) out.vm_id = task.vmId;
  return { ...out, ...details };
}

/**
 * What the original's result held that ours keeps in other records: a command's `stdout` and
 * `stderr` (as stored, see the execution's `*_truncated`), and a created VM's `name`. Read for
 * `GET /tasks/{id}` only, the original's one way to read a task: a list would read every
 * execution's output. A record that cannot be read (deleted since) adds nothing.
 */
export async function resultDetails(
  services: Pick<Services, 'executions' | 'vms'>,
  access: Access,
  task: TaskRecord,
): Promise<Record<string, unknown>> {
  if (task.result === null) return {};
  if (task.type === 'vm:execute') {
    const { executionId } = task.result as TaskResults['vm:execute'];
    const execution = await services.executions.get(access, executionId).catch(() => null);
    return execution ? { stdout: execution.stdout, stderr: execution.stderr } : {};
  }
  if (task.type === 'vm:create') {
    const { vmId } = task.result as TaskResults['vm:create'];
    const vm = await services.vms.get(access, vmId).catch(() => null);
    return vm ? { name: vm.name } : {};
  }
  return {};
}
