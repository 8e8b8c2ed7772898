import { AetherError } from '../core/errors.js';
import type { TaskRecord } from '../core/task.js';
import type { VmRecord, VmStatus } from '../core/vm.js';
import { recordAndEnqueue } from './dispatch.js';
import type { TaskOptions } from './inputs.js';
import { publishVm } from './publish.js';
import type { ServiceDeps, ServiceSettings } from './service-context.js';
import { newVmTask } from './vm-task.js';

/** Who asked for a stop or a delete, first in the VM's status reason (`ttl: ...` for the expiry loop). */
export const USER_STOP_REASON = 'user: stopped on request';
export const USER_DELETE_REASON = 'user: deleted on request';

function refuse(vm: VmRecord, action: string, from: string): AetherError {
  return new AetherError(
    'ERR_INVALID_TRANSITION',
    `VM ${vm.name} is ${vm.status}; only a ${from} VM can be ${action}`,
    { details: { vmId: vm.id, status: vm.status } },
  );
}

/** Stops a running VM, keeping its files: `stopping` now, `stopped` once its worker has ended it. */
export async function stopVm(
  deps: ServiceDeps,
  settings: Pick<ServiceSettings, 'timeouts'>,
  vm: VmRecord,
  options: TaskOptions,
): Promise<{ task: TaskRecord; vm: VmRecord }> {
  const asked = 'user: stop requested';
  const stopping = await deps.store.transitionVm(vm.id, {
    from: ['running', 'paused'],
    to: 'stopping',
    reason: asked,
  });
  if (!stopping) throw refuse(vm, 'stopped', 'running or paused');
  // Commands are refused from now on, also where a gateway keeps running VMs (RunningVms).
  await publishVm(deps.events, stopping, asked);
  const task = await recordAndEnqueue(
    deps,
    newVmTask('vm:stop', { vmId: vm.id, reason: USER_STOP_REASON }, stopping, options, settings.timeouts),
    { vm: stopping },
  );
  return { task, vm: stopping };
}

/** Boots a stopped VM again on the worker that holds its files: `creating`, then `running`. */
export async function startVm(
  deps: ServiceDeps,
  settings: Pick<ServiceSettings, 'timeouts'>,
  vm: VmRecord,
  options: TaskOptions,
): Promise<{ task: TaskRecord; vm: VmRecord }> {
  const reason = 'user: start requested';
  const creating = await deps.store.transitionVm(vm.id, { from: ['stopped'], to: 'creating', reason });
  if (!creating) throw refuse(vm, 'started', 'stopped');
  await publishVm(deps.events, creating, reason);
  const task = await recordAndEnqueue(
    deps,
    newVmTask('vm:start', { vmId: vm.id }, creating, options, settings.timeouts),
    { vm: creating },
  );
  return { task, vm: creating };
}

/**
 * Pauses a running VM where it stands, keeping its memory; or resumes a paused one. The status
 * changes on its worker once the driver has done it (running ⇄ paused): until then commands are
 * still taken. A VM in another status answers ERR_INVALID_TRANSITION.
 */
export async function pauseOrResumeVm(
  deps: ServiceDeps,
  settings: Pick<ServiceSettings, 'timeouts'>,
  vm: VmRecord,
  type: 'vm:pause' | 'vm:resume',
  options: TaskOptions,
  pause: { hibernate?: boolean } = {},
): Promise<{ task: TaskRecord; vm: VmRecord }> {
  const from: VmStatus = type === 'vm:pause' ? 'running' : 'paused';
  if (vm.status !== from) throw refuse(vm, type === 'vm:pause' ? 'paused' : 'resumed', from);
  const payload = type === 'vm:pause' && pause.hibernate ? { vmId: vm.id, hibernate: true } : { vmId: vm.id };
  const task = await recordAndEnqueue(deps, newVmTask(type, payload, vm, options, settings.timeouts), { vm });
  return { task, vm };
}
