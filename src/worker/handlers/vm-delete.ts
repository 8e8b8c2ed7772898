import { publishVm } from '../../service/publish.js';
import type { TaskHandler } from '../context.js';
import { detachNetwork } from './vm-network.js';

/** Destroy everything the VM holds, then mark it deleted. Idempotent. */
export const handleVmDelete: TaskHandler<'vm:delete'> = async (ctx, task) => {
  const vm = await ctx.claimedVm(task.payload.vmId);
  if (vm.status === 'deleted') return { vmId: vm.id, status: 'deleted' };
  // Who asked (`user: ...`, `ttl: ...`); payloads written before it carry none.
  const reason = task.payload.reason ?? 'deleted on request';
  await ctx.store.transitionVm(vm.id, {
    from: ['pending', 'creating', 'running', 'stopped', 'failed', 'lost'],
    to: 'stopping',
    reason: 'delete started',
  });
  await ctx.driverFor(vm).destroy(vm.id);
  await detachNetwork(ctx, vm);
  const deleted = await ctx.store.transitionVm(
    vm.id,
    { from: ['stopping'], to: 'deleted', reason },
    { stoppedAt: new Date() },
  );
  const now = deleted ?? (await ctx.requireVm(vm.id));
  await publishVm(ctx.events, now, reason);
  return { vmId: vm.id, status: now.status };
};
