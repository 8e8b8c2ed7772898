import { AetherError } from '../../core/errors.js';
import type { VmStatus } from '../../core/vm.js';
import { publishVm } from '../../service/publish.js';
import type { TaskHandler } from '../context.js';

/**
 * Pause (freeze, memory kept) or resume a VM on the worker that runs it: the driver first, then
 * the status (running ⇄ paused). Idempotent: a VM already where the task would take it stays
 * so; one that has moved on meanwhile (stopped, failed) is left as it is.
 */
function pauseHandler<T extends 'vm:pause' | 'vm:resume'>(type: T): TaskHandler<T> {
  const pausing = type === 'vm:pause';
  const [from, to]: [VmStatus, VmStatus] = pausing ? ['running', 'paused'] : ['paused', 'running'];
  const reason = pausing ? 'user: paused on request' : 'user: resumed on request';
  return async (ctx, task) => {
    const { vmId } = task.payload;
    const vm = await ctx.claimedVm(vmId);
    if (vm.status !== from) return { vmId, status: vm.status };
    const driver = ctx.driverFor(vm);
    const act = pausing ? driver.pause : driver.resume;
    if (!act) {
      throw new AetherError('ERR_UNSUPPORTED', `the ${vm.driver} driver cannot pause VMs`, {
        details: { driver: vm.driver },
      });
    }
    await act.call(driver, vm.id);
    const moved = await ctx.store.transitionVm(vm.id, { from: [from], to, reason });
    if (moved) await publishVm(ctx.events, moved, reason);
    return { vmId, status: (moved ?? (await ctx.requireVm(vm.id))).status };
  };
}

export const handleVmPause = pauseHandler('vm:pause');
export const handleVmResume = pauseHandler('vm:resume');
