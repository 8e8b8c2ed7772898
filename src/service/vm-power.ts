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

type PowerTask = 'vm:stop' | 'vm:start' | 'vm:pause' | 'vm:resume';

/** One power change: the task its worker runs, the statuses it may start from, and what to call it. */
interface PowerChange<T extends PowerTask> {
  type: T;
  payload: TaskRecord<T>['payload'];
  from: VmStatus[];
  /** The VM's new state as a refusal names it: `stopped`, `started`, ... */
  done: string;
  /** The status the VM takes at once; without it the status changes on its worker. */
  now?: { to: VmStatus; reason: string };
}

/**
 * Checks (or makes) the VM's move out of `change.from`, tells the other nodes when its status
 * changed, and queues the task its worker runs. A VM in another status answers
 * ERR_INVALID_TRANSITION.
 */
async function changePower<T extends PowerTask>(
  deps: ServiceDeps,
  settings: Pick<ServiceSettings, 'timeouts'>,
  vm: VmRecord,
  options: TaskOptions,
  change: PowerChange<T>,
): Promise<{ task: TaskRecord; vm: VmRecord }> {
  let current = vm;
  if (change.now) {
    const moved = await deps.store.transitionVm(vm.id, { from: change.from, ...change.now });
    if (!moved) throw refuse(vm, change);
    // A stopping VM's commands are refused from now on, also where a gateway keeps running VMs (RunningVms).
    await publishVm(deps.events, moved, change.now.reason);
    current = moved;
  } else if (!change.from.includes(vm.status)) {
    throw refuse(vm, change);
  }
  const task = await recordAndEnqueue(
    deps,
    newVmTask(change.type, change.payload, current, options, settings.timeouts),
    { vm: current },
  );
  return { task, vm: current };
}

function refuse(vm: VmRecord, change: Pick<PowerChange<PowerTask>, 'from' | 'done'>): AetherError {
  return new AetherError(
    'ERR_INVALID_TRANSITION',
    `VM ${vm.name} is ${vm.status}; only a ${change.from.join(' or ')} VM can be ${change.done}`,
    { details: { vmId: vm.id, status: vm.status } },
  );
}

/** Stops a running VM, keeping its files: `stopping` now, `stopped` once its worker has ended it. */
export function stopVm(
  deps: ServiceDeps,
  settings: Pick<ServiceSettings, 'timeouts'>,
  vm: VmRecord,
  options: TaskOptions,
): Promise<{ task: TaskRecord; vm: VmRecord }> {
  return changePower(deps, settings, vm, options, {
    type: 'vm:stop',
    payload: { vmId: vm.id, reason: USER_STOP_REASON },
    from: ['running', 'paused'],
    done: 'stopped',
    now: { to: 'stopping', reason: 'user: stop requested' },
  });
}

/** Boots a stopped VM again on the worker that holds its files: `creating`, then `running`. */
export function startVm(
  deps: ServiceDeps,
  settings: Pick<ServiceSettings, 'timeouts'>,
  vm: VmRecord,
  options: TaskOptions,
): Promise<{ task: TaskRecord; vm: VmRecord }> {
  return changePower(deps, settings, vm, options, {
    type: 'vm:start',
    payload: { vmId: vm.id },
    from: ['stopped'],
    done: 'started',
    now: { to: 'creating', reason: 'user: start requested' },
  });
}

/**
 * Pauses a running VM where it stands, keeping its memory; or resumes a paused one. The status
 * changes on its worker once the driver has done it (running ⇄ paused): until then commands are
 * still taken. A VM in another status answers ERR_INVALID_TRANSITION.
 */
export function pauseOrResumeVm(
  deps: ServiceDeps,
  settings: Pick<ServiceSettings, 'timeouts'>,
  vm: VmRecord,
  type: 'vm:pause' | 'vm:resume',
  options: TaskOptions,
  pause: { hibernate?: boolean } = {},
): Promise<{ task: TaskRecord; vm: VmRecord }> {
  const pausing = type === 'vm:pause';
  return changePower(deps, settings, vm, options, {
    type,
    payload: pausing && pause.hibernate ? { vmId: vm.id, hibernate: true } : { vmId: vm.id },
    from: [pausing ? 'running' : 'paused'],
    done: pausing ? 'paused' : 'resumed',
  });
}
