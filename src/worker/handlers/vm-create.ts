import { AetherError } from '../../core/errors.js';
import { DEFAULT_TOOL_INSTALL_TIMEOUT_MS } from '../../core/tools.js';
import { publishVm } from '../../service/publish.js';
import type { TaskHandler } from '../context.js';
import { provisionTools } from '../tool-installer.js';
import { attachNetwork, detachNetworkQuietly } from './vm-network.js';

/**
 * Boot a VM on this worker. Idempotent per VM: a redelivered task finds the VM `creating` and
 * the driver's create/start are idempotent per id. If the VM was deleted meanwhile, whatever
 * was started is destroyed again. With `snapshotId` the VM starts from that snapshot, which the
 * service routed to this worker.
 */
export const handleVmCreate: TaskHandler<'vm:create'> = async (ctx, task, signal) => {
  const vm = await ctx.claimedVm(task.payload.vmId);
  if (vm.status !== 'pending' && vm.status !== 'creating') {
    return { vmId: vm.id, status: vm.status };
  }
  const driver = ctx.driverFor(vm);
  const creating = await ctx.store.transitionVm(
    vm.id,
    { from: ['pending', 'creating'], to: 'creating', reason: `creating on worker ${ctx.settings.workerId}` },
    { workerId: ctx.settings.workerId },
  );
  if (!creating) {
    const now = await ctx.requireVm(vm.id);
    return { vmId: vm.id, status: now.status };
  }
  await publishVm(ctx.events, creating, 'create started');
  let tools = vm.tools;
  try {
    const { snapshotId } = task.payload;
    if (snapshotId !== undefined) {
      // The snapshot carries the network the source had; a host bridge VM is never snapshotted.
      if (!driver.createFromSnapshot) {
        throw new AetherError('ERR_UNSUPPORTED', `the ${driver.name} driver cannot start VMs from snapshots`);
      }
      await driver.createFromSnapshot(
        { id: vm.id, name: vm.name, vcpus: vm.vcpus, memoryMiB: vm.memoryMiB, network: vm.network },
        snapshotId,
        signal,
      );
    } else {
      const networkAttachment = await attachNetwork(ctx, vm, driver);
      await driver.create(
        {
          id: vm.id,
          name: vm.name,
          vcpus: vm.vcpus,
          memoryMiB: vm.memoryMiB,
          ...(vm.image !== null ? { image: vm.image } : {}),
          network: vm.network,
          ...(networkAttachment ? { networkAttachment } : {}),
        },
        signal,
      );
      await driver.start(vm.id, signal);
      if (vm.tools && vm.tools.requested.length > 0) {
        tools = await provisionTools({
          driver,
          vmId: vm.id,
          network: vm.network,
          requested: vm.tools.requested,
          deadlineMs: ctx.settings.toolInstallTimeoutMs ?? DEFAULT_TOOL_INSTALL_TIMEOUT_MS,
          signal,
          ...(ctx.settings.toolCaPem ? { caPem: ctx.settings.toolCaPem } : {}),
          onProgress: (progress) =>
            ctx.store.setTaskProgress(task.id, task.fencingToken, progress).then(() => {}),
          logger: ctx.logger,
          // Fresh from the driver: what the probe finds is the image's, not this VM's own.
          probes: { cache: ctx.toolProbes, image: `${vm.driver}:${vm.image ?? 'default'}` },
        });
      }
    }
  } catch (error) {
    await driver.destroy(vm.id).catch((cleanupError) => {
      ctx.logger.warn({ err: cleanupError, vmId: vm.id }, 'cleanup after a failed create failed');
    });
    await detachNetworkQuietly(ctx, vm);
    throw error;
  }
  const running = await ctx.store.transitionVm(
    vm.id,
    { from: ['creating'], to: 'running', reason: 'agent answered' },
    { isolation: driver.isolation, startedAt: new Date(), ...(tools !== vm.tools ? { tools } : {}) },
  );
  if (!running) {
    // Deleted while booting: do not leave a sandbox nobody wants.
    await driver.destroy(vm.id);
    await detachNetworkQuietly(ctx, vm);
    const now = await ctx.requireVm(vm.id);
    return { vmId: vm.id, status: now.status };
  }
  await publishVm(ctx.events, running, 'agent answered', 'vm.created');
  return { vmId: vm.id, status: 'running' };
};
