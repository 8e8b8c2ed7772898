import { isAetherError } from '../../core/errors.js';
import type { VmRecord } from '../../core/vm.js';
import { publishVm } from '../../service/publish.js';
import type { HandlerContext } from '../context.js';

/**
 * A driver error with `details.vmStopped` says the VM itself stopped under the command (its
 * container was OOM-killed, its process tree died): the VM becomes `failed` with the driver's
 * reason (`oom_killed`, `container_exited`, ...), rather than staying `running` in the store
 * while every later command fails.
 */
export async function recordVmGone(ctx: HandlerContext, vm: VmRecord, error: unknown): Promise<void> {
  if (!isAetherError(error) || error.details?.vmStopped !== true) return;
  const reason = `${String(error.details.reason ?? 'stopped')}: ${error.message}`;
  try {
    const failed = await ctx.store.transitionVm(vm.id, { from: ['running'], to: 'failed', reason });
    if (failed) await publishVm(ctx.events, failed, reason);
  } catch (storeError) {
    ctx.logger.warn({ err: storeError, vmId: vm.id }, 'could not record that the VM stopped');
  }
}
