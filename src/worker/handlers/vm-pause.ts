import { AetherError, isAetherError } from '../../core/errors.js';
import type { VmRecord } from '../../core/vm.js';
import { publishVm } from '../../service/publish.js';
import type { HandlerContext, TaskHandler } from '../context.js';

export const USER_PAUSE_REASON = 'user: paused on request';
const USER_RESUME_REASON = 'user: resumed on request';

/**
 * Pause a running VM on the worker that runs it: frozen with its memory kept, or, asked to
 * hibernate where the driver can, its memory saved beside its disk and its VMM ended. Then the
 * status (running → paused). Idempotent: a VM already paused, or moved on meanwhile, is left as
 * it is. A pause the expiry loop asked for (`reason` set) on a driver that cannot pause at all
 * stops the VM instead: its deadline is still honoured, and the reason says so.
 */
export const handleVmPause: TaskHandler<'vm:pause'> = async (ctx, task, signal) => {
  const { vmId, hibernate = false } = task.payload;
  const reason = task.payload.reason ?? USER_PAUSE_REASON;
  const vm = await ctx.claimedVm(vmId);
  if (vm.status !== 'running') return { vmId, status: vm.status };
  const driver = ctx.driverFor(vm);
  if (hibernate && driver.hibernate) {
    await driver.hibernate(vm.id, signal);
    return moveTo(ctx, vm, 'paused', `${reason}; hibernated: its memory is on disk until it resumes`, {
      hibernatedAt: new Date(),
    });
  }
  try {
    if (!driver.pause) throw cannotPause(vm);
    await driver.pause(vm.id);
  } catch (error) {
    if (task.payload.reason === undefined || !isAetherError(error) || error.code !== 'ERR_UNSUPPORTED')
      throw error;
    await driver.stop(vm.id);
    return moveTo(ctx, vm, 'stopped', `${reason}; stopped: ${error.message}`, { stoppedAt: new Date() });
  }
  return moveTo(ctx, vm, 'paused', reason);
};

/** Resume a paused VM: thawed, or woken from its hibernated state. Its deadlines count anew. */
export const handleVmResume: TaskHandler<'vm:resume'> = async (ctx, task) => {
  const { vmId } = task.payload;
  const vm = await ctx.claimedVm(vmId);
  if (vm.status !== 'paused') return { vmId, status: vm.status };
  const driver = ctx.driverFor(vm);
  if (!driver.resume) throw cannotPause(vm);
  await driver.resume(vm.id);
  return moveTo(ctx, vm, 'running', USER_RESUME_REASON, {
    hibernatedAt: null,
    expiryClaimedAt: null,
    lastActiveAt: new Date(),
    renewExpiredLifetime: true,
  });
};

function cannotPause(vm: VmRecord): AetherError {
  return new AetherError('ERR_UNSUPPORTED', `the ${vm.driver} driver cannot pause VMs`, {
    details: { driver: vm.driver },
  });
}

async function moveTo(
  ctx: HandlerContext,
  vm: VmRecord,
  to: 'paused' | 'running' | 'stopped',
  reason: string,
  patch: Parameters<HandlerContext['store']['transitionVm']>[2] = {},
): Promise<{ vmId: string; status: string }> {
  const moved = await ctx.store.transitionVm(vm.id, { from: [vm.status], to, reason }, patch);
  if (moved) await publishVm(ctx.events, moved, reason, to === 'running' ? 'vm.resumed' : undefined);
  return { vmId: vm.id, status: (moved ?? (await ctx.requireVm(vm.id))).status };
}
