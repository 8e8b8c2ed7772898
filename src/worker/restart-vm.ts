/**
 * Restarting a VM its health check found dead, when its policy asks for it (core/vm-restart.ts):
 * the restart is claimed in the store first (one guarded update: a stop, a delete or another
 * look at the same death wins or loses as a whole), the event goes out, commands still running
 * end with ERR_VM_FAILED, and the sandbox is stopped and started again as a user's stop and
 * start would (its files kept). A start that fails leaves the VM `failed`.
 */
import type { VmDriver } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import type { VmRecord, VmStatus } from '../core/vm.js';
import type { VmDeathReason } from '../core/vm-health.js';
import { restartFailedReason } from '../core/vm-restart.js';
import { publishVm } from '../service/publish.js';
import type { HandlerContext } from './context.js';

/** Statuses a stop or delete leaves a VM in while it acted: our start must not outlive them. */
const ENDED_MEANWHILE: readonly VmStatus[] = ['stopping', 'stopped', 'failed', 'deleted'];

/**
 * Restarts `vm` (as read just now: running, its death confirmed) with status reason `reason`;
 * false when the claim did not apply (the VM changed since, or has no restart left).
 */
export async function restartDeadVm(
  ctx: HandlerContext,
  vm: VmRecord,
  driver: VmDriver,
  found: { reason: VmDeathReason },
  reason: string,
): Promise<boolean> {
  const claimed = await ctx.store.claimVmRestart(
    vm.id,
    { startedAt: vm.startedAt, restarts: vm.restart.count },
    reason,
  );
  if (!claimed) return false;
  ctx.logger.warn({ vmId: vm.id, driver: vm.driver, reason }, 'VM found dead; restarting it');
  await publishVm(ctx.events, claimed, reason);
  const ended = ctx.commands.abortVm(
    vm.id,
    new AetherError(
      'ERR_VM_FAILED',
      `VM ${vm.name} died while the command ran and is being restarted: ${reason}`,
      { details: { vmId: vm.id, reason: found.reason, restarts: claimed.restart.count } },
    ),
  );
  if (ended > 0) ctx.logger.info({ vmId: vm.id, commands: ended }, 'ended the commands of a dead VM');
  // What is left of the old sandbox (a hung agent's) goes first; a stop that fails is the
  // start's to report, when it matters.
  await driver.stop(vm.id, { graceMs: 0 }).catch((error: unknown) => {
    ctx.logger.warn({ err: error, vmId: vm.id }, 'could not stop what is left of a dead VM');
  });
  try {
    await driver.start(vm.id);
  } catch (error) {
    await failRestart(ctx, vm, driver, (error as Error).message ?? String(error));
    return true;
  }
  // A stop or delete asked for while it booted may have acted before this start: stop again.
  const now = await ctx.store.getVm(vm.id);
  if (now && ENDED_MEANWHILE.includes(now.status)) {
    await driver.stop(vm.id).catch((error: unknown) => {
      ctx.logger.warn({ err: error, vmId: vm.id }, 'could not stop a VM ended while it restarted');
    });
    return true;
  }
  ctx.logger.info({ vmId: vm.id, restarts: claimed.restart.count }, 'VM restarted');
  return true;
}

async function failRestart(ctx: HandlerContext, vm: VmRecord, driver: VmDriver, message: string) {
  const reason = restartFailedReason(message);
  // Only from `running`: a stop or delete asked for meanwhile owns the VM.
  const failed = await ctx.store.transitionVm(vm.id, { from: ['running'], to: 'failed', reason });
  ctx.logger.warn({ vmId: vm.id, reason }, 'could not restart a dead VM');
  if (failed) await publishVm(ctx.events, failed, reason);
  await driver.stop(vm.id, { graceMs: 0 }).catch((error: unknown) => {
    ctx.logger.warn({ err: error, vmId: vm.id }, 'could not stop what is left of a VM whose restart failed');
  });
}
