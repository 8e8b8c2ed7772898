import { publishVm } from '../../service/publish.js';
import type { TaskHandler } from '../context.js';

/**
 * Stop a VM, keeping its files (and its network lease: a start resumes it as it was). The service,
 * or the expiry loop, moved it to `stopping` when it asked; the payload's reason, which says who
 * asked, becomes its status reason once stopped. Idempotent: a VM stopped already stays so.
 */
export const handleVmStop: TaskHandler<'vm:stop'> = async (ctx, task) => {
  const { vmId, reason } = task.payload;
  const vm = await ctx.claimedVm(vmId);
  if (vm.status !== 'stopping') return { vmId, status: vm.status };
  await ctx.driverFor(vm).stop(vm.id);
  const stopped = await ctx.store.transitionVm(
    vm.id,
    { from: ['stopping'], to: 'stopped', reason },
    { stoppedAt: new Date(), hibernatedAt: null },
  );
  const now = stopped ?? (await ctx.requireVm(vm.id));
  if (stopped) await publishVm(ctx.events, stopped, reason);
  return { vmId, status: now.status };
};
