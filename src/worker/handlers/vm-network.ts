import type { VmDriver } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import type { NetworkAttachment } from '../../core/network-attachment.js';
import type { VmRecord } from '../../core/vm.js';
import type { HandlerContext } from '../context.js';

/**
 * The bridge attachment a VM needs from this worker: only for `network: true` on a driver that
 * joins the host bridge through a TAP (`tapNetwork`); other drivers network their VMs themselves.
 */
export async function attachNetwork(
  ctx: HandlerContext,
  vm: VmRecord,
  driver: VmDriver,
): Promise<NetworkAttachment | undefined> {
  if (!vm.network || driver.tapNetwork !== true) return undefined;
  if (!ctx.network) {
    throw new AetherError(
      'ERR_NETWORK_UNAVAILABLE',
      `worker ${ctx.settings.workerId} has no host networking for ${driver.name} VMs with network: true`,
    );
  }
  return ctx.network.attach(vm.id);
}

/**
 * Frees what `attachNetwork` took. A VM whose driver (now) networks itself may still hold a lease
 * from when this worker was configured otherwise: that lease is freed in the store all the same,
 * so its address goes back to the host's range.
 */
export async function detachNetwork(ctx: HandlerContext, vm: VmRecord): Promise<void> {
  if (!vm.network) return;
  if (ctx.network && ctx.drivers.get(vm.driver)?.tapNetwork === true) await ctx.network.detach(vm.id);
  else await ctx.store.releaseNetworkLease(vm.id);
}

/** For cleanup paths that must not hide the error that brought them there. */
export async function detachNetworkQuietly(ctx: HandlerContext, vm: VmRecord): Promise<void> {
  await detachNetwork(ctx, vm).catch((error: unknown) => {
    ctx.logger.warn({ err: error, vmId: vm.id }, 'could not free the network lease of the VM');
  });
}
