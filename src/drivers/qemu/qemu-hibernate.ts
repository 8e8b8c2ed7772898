/**
 * Hibernation of QEMU microVMs, in place: while the VM is paused its device state and RAM go
 * through QEMU's migration into `<vm dir>/hib/state.bin` (the disk, flushed at the migration's
 * end, stays where it is), `meta.json` is written last, then QEMU ends, so the VM holds no
 * memory. Waking starts QEMU with the same machine and `-incoming` from that file over the same
 * disk, then the agent resyncs as after a snapshot restore; the saved state goes once the VM runs.
 */
import { join } from 'node:path';
import { AetherError } from '../../core/errors.js';
import { launchFromState, type QemuSnapshotHost, savedStateMeta, saveMachineState } from './qemu-snapshot.js';
import { QmpClient } from './qmp.js';
import { QemuSnapshotDir } from './snapshot-files.js';
import type { QemuVmDir } from './vm-files.js';

const QMP_TIMEOUT_MS = 5_000;

/** Where `dir`'s VM keeps its saved state while hibernated. */
export function hibernationOf(host: Pick<QemuSnapshotHost, 'stateDir'>, dir: QemuVmDir): QemuSnapshotDir {
  return new QemuSnapshotDir(host.stateDir, dir.id, join(dir.dir, 'hib'));
}

/** True when `dir`'s VM is hibernated (its saved state is complete). */
export async function isHibernated(
  host: Pick<QemuSnapshotHost, 'stateDir'>,
  dir: QemuVmDir,
): Promise<boolean> {
  return (await hibernationOf(host, dir).readMeta()) !== null;
}

/** Saves the VM of `dir` and ends its QEMU; the caller holds the VM's lock. */
export async function hibernateQemuVm(
  host: QemuSnapshotHost,
  dir: QemuVmDir,
  signal?: AbortSignal,
): Promise<void> {
  const hib = hibernationOf(host, dir);
  const pid = await host.livePid(dir);
  const saved = await hib.readMeta();
  if (pid === null) {
    if (saved) return;
    throw new AetherError(
      'ERR_VM_NOT_RUNNING',
      `VM ${dir.id} is not running: only a running VM can hibernate`,
      {
        details: { id: dir.id },
      },
    );
  }
  // Complete but QEMU still up: an earlier attempt ended between its save and the kill.
  if (saved) return host.kill(dir);
  const spec = await dir.readSpec();
  const boot = await dir.readBoot();
  if (!spec || !boot)
    throw new AetherError('ERR_DRIVER_FAILED', `VM ${dir.id}: its spec or boot record is gone`);
  const started = performance.now();
  await hib.prepare();
  const qmp = await QmpClient.open(dir.files.qmpSocket, QMP_TIMEOUT_MS);
  let wasRunning = false;
  try {
    wasRunning = ((await qmp.execute('query-status')) as { running?: boolean }).running === true;
    await qmp.execute('stop');
    await saveMachineState(host, qmp, dir.id, hib.saveUri, signal);
  } catch (error) {
    await hib.remove();
    // The VM goes on as it was: running again, or still paused when it was paused before.
    if (wasRunning) await qmp.execute('cont').catch(() => {});
    throw error;
  } finally {
    qmp.close();
  }
  const meta = await savedStateMeta(host, dir, { spec, boot }, dir.id, hib, started);
  await hib.writeMeta(meta);
  // The state is complete and the disk flushed: QEMU has nothing left worth a graceful end.
  await host.kill(dir);
  host.logger.info({ vmId: dir.id, durationMs: meta.durationMs, bytes: meta.sizeBytes }, 'VM hibernated');
}

/**
 * Wakes the VM of `dir` from its saved state; false when it is not hibernated. The caller holds
 * the VM's lock. On failure QEMU is killed and the state kept, so a later wake can try again.
 */
export async function wakeQemuVm(
  host: QemuSnapshotHost,
  dir: QemuVmDir,
  signal?: AbortSignal,
): Promise<boolean> {
  const hib = hibernationOf(host, dir);
  const meta = await hib.readMeta();
  if (!meta) return false;
  const spec = await dir.readSpec();
  if (!spec) throw new AetherError('ERR_DRIVER_FAILED', `VM ${dir.id}: its spec is gone`);
  await host.kill(dir);
  await dir.clearRuntime();
  try {
    await launchFromState(host, dir, spec, meta, hib, 'its hibernated state', signal);
  } catch (error) {
    await host.kill(dir).catch(() => {});
    throw error;
  }
  await hib.remove();
  return true;
}
