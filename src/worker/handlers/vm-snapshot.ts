import { AetherError, toWireError } from '../../core/errors.js';
import type { TaskHandler } from '../context.js';

/**
 * Save a running VM on the worker that holds it. Idempotent per snapshot: the driver returns a
 * finished snapshot as it is, and the store writes the outcome only once.
 */
export const handleVmSnapshot: TaskHandler<'vm:snapshot'> = async (ctx, task, signal) => {
  const { vmId, snapshotId } = task.payload;
  const vm = await ctx.claimedVm(vmId);
  const snapshot = await ctx.store.getSnapshot(snapshotId);
  if (!snapshot)
    throw new AetherError('ERR_SNAPSHOT_NOT_FOUND', `snapshot ${snapshotId} is not in the store`);
  if (snapshot.status !== 'pending') return { snapshotId, status: snapshot.status };
  const driver = ctx.driverFor(vm);
  try {
    if (!driver.snapshot) {
      throw new AetherError('ERR_UNSUPPORTED', `the ${driver.name} driver cannot snapshot VMs`);
    }
    if (vm.status !== 'running') {
      throw new AetherError(
        'ERR_VM_NOT_RUNNING',
        `VM ${vm.name} is ${vm.status}: only a running VM can be snapshotted`,
      );
    }
    const saved = await driver.snapshot(vm.id, snapshotId, signal);
    const done = await ctx.store.completeSnapshot(snapshotId, {
      status: 'ready',
      statePath: saved.path,
      sizeBytes: saved.sizeBytes,
    });
    return { snapshotId, status: done?.status ?? 'ready' };
  } catch (error) {
    const wire = toWireError(error);
    // A retry may still succeed where the failure was transient: only the last attempt records it.
    if (!wire.retryable || task.retryCount >= task.maxRetries) {
      await ctx.store.completeSnapshot(snapshotId, {
        status: 'failed',
        statusReason: `${wire.code}: ${wire.message}`,
      });
    }
    throw error;
  }
};
