import { publishVm } from '../../service/publish.js';
import type { TaskHandler } from '../context.js';

/**
 * Boot a stopped VM again on the worker that holds its files. The service moved it to `creating`
 * when it asked; the driver's start is idempotent, so a retried attempt boots it once. Its idle
 * clock starts over, and a lifetime that ran out while it was stopped starts over too.
 */
export const handleVmStart: TaskHandler<'vm:start'> = async (ctx, task, signal) => {
  const { vmId } = task.payload;
  const vm = await ctx.claimedVm(vmId);
  if (vm.status !== 'creating') return { vmId, status: vm.status };
  await ctx.driverFor(vm).start(vm.id, signal);
  const reason = `started on worker ${ctx.settings.workerId}`;
  const now = new Date();
  const running = await ctx.store.transitionVm(
    vm.id,
    { from: ['creating'], to: 'running', reason },
    { startedAt: now, lastActiveAt: now, renewExpiredLifetime: true, expiryClaimedAt: null },
  );
  if (!running) {
    // Deleted or stopped while booting: whoever changed it also ends what runs.
    return { vmId, status: (await ctx.requireVm(vm.id)).status };
  }
  await publishVm(ctx.events, running, reason);
  return { vmId, status: 'running' };
};
