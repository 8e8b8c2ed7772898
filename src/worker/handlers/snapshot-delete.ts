import { AetherError } from '../../core/errors.js';
import type { TaskHandler } from '../context.js';

/**
 * Remove a snapshot's files on the worker that holds them, then record it `deleted`.
 * Idempotent: the driver's delete is, and a snapshot already deleted is left as it is. A
 * snapshot whose worker is gone comes to any worker, which can only record it deleted (the
 * files, if that host comes back, are the host's to clean). A driver that finds VMs still
 * reading the files refuses (ERR_SNAPSHOT_IN_USE); the snapshot is then ready again.
 */
export const handleSnapshotDelete: TaskHandler<'snapshot:delete'> = async (ctx, task, signal) => {
  const { snapshotId } = task.payload;
  const snapshot = await ctx.store.getSnapshot(snapshotId);
  if (!snapshot)
    throw new AetherError('ERR_SNAPSHOT_NOT_FOUND', `snapshot ${snapshotId} is not in the store`);
  if (snapshot.status === 'deleted') return { snapshotId, status: 'deleted' };
  signal.throwIfAborted();

  let reason = 'deleted on request';
  const driver = ctx.drivers.get(snapshot.driver);
  if (snapshot.workerId !== ctx.settings.workerId) {
    reason = `deleted on request; its worker ${snapshot.workerId ?? '(none)'} is gone, so files left on that host were not removed`;
  } else if (snapshot.statePath !== null && driver?.deleteSnapshot) {
    try {
      await driver.deleteSnapshot(snapshotId);
    } catch (error) {
      if (error instanceof AetherError && error.code === 'ERR_SNAPSHOT_IN_USE') {
        await ctx.store.transitionSnapshot(snapshotId, {
          from: ['deleting'],
          to: 'ready',
          reason: `delete refused: ${error.message}`,
        });
      }
      throw error;
    }
  }
  const deleted = await ctx.store.transitionSnapshot(snapshotId, {
    from: ['deleting'],
    to: 'deleted',
    reason,
  });
  return {
    snapshotId,
    status: deleted?.status ?? (await ctx.store.getSnapshot(snapshotId))?.status ?? 'deleted',
  };
};
