/**
 * Hibernation of Firecracker microVMs, in place: while the VM is paused its device state and
 * memory are saved (saved-state.ts) into `<vm dir>/hibernation/`, `meta.json` is written last,
 * then its VMM is killed, so the VM holds no memory and no CPU. Its disk is not copied: it stays
 * where it is, flushed by the save. Waking spawns a fresh VMM for the same VM, in the same
 * directory or jail layout, and loads the saved state: the disk and vsock paths it recorded name
 * the VM's own files again. The saved state goes as soon as Firecracker accepted the load (the
 * guest writes its disk from then on, so that memory may never be loaded again).
 *
 * `stop` with a grace wakes the VM first, so what the guest wrote (in its saved page cache) is
 * synced in the shutdown; without one it drops the saved state.
 *
 * The saved state counts only when complete (`meta.json`) and only while no VMM runs: a VM
 * found with a VMM (an attempt cut short between its save and the kill) runs from its live
 * memory, and a later hibernation saves it afresh.
 *
 * A VM on the host bridge hibernates too: the TAP it reopens on waking is its own, leased for
 * its whole life; a TAP gone meanwhile makes Firecracker refuse the load, and the state stays.
 */
import { AetherError, isAetherError } from '../../core/errors.js';
import { vmNotFound, vmNotRunning } from '../shared/driver-errors.js';
import {
  assertLoadable,
  launchFromSaved,
  layoutOf,
  type SavedStateHost,
  writeMicrovmState,
} from './saved-state.js';
import { type FirecrackerSnapshotMeta, SavedMicrovmFiles } from './snapshot-files.js';
import type { FirecrackerVmDir } from './vm-files.js';

/** Where `dir`'s VM keeps its saved state while hibernated. */
export function hibernationOf(dir: FirecrackerVmDir): SavedMicrovmFiles {
  return new SavedMicrovmFiles(dir.hibernation);
}

/** True when `dir`'s VM has a complete saved state; it counts only while no VMM runs. */
export async function hasHibernationState(dir: FirecrackerVmDir): Promise<boolean> {
  return (await hibernationOf(dir).readMeta()) !== null;
}

/**
 * Saves the running or paused VM `id` and ends its VMM; a VM already hibernated stays so. The
 * caller holds the VM's lock. When the save fails the VM goes on as it was (running again, or
 * still paused) and nothing saved is left.
 */
export async function hibernateFirecrackerVm(
  host: SavedStateHost,
  id: string,
  signal?: AbortSignal,
): Promise<void> {
  const dir = host.dirOf(id);
  if (!(await dir.read())) throw vmNotFound(id);
  const saved = hibernationOf(dir);
  if (!(await host.isRunning(dir))) {
    if (await saved.readMeta()) return;
    throw vmNotRunning(id, 'only a running or paused VM can hibernate');
  }
  signal?.throwIfAborted();
  const vm = await host.running(id);
  const boot = await dir.readBoot();
  const instance = await vm.api.describeInstance();

  const started = performance.now();
  // Whatever an earlier attempt saved is partial, or stale now that the VM ran on.
  await saved.prepare();
  // The save resets every vsock connection of the guest.
  host.dropAgent(id);
  try {
    await vm.api.pause();
    await writeMicrovmState(host, vm, saved);
    await saved.protect(vm.jail ? host.jailGid : null);
  } catch (error) {
    await saved.remove();
    if (await host.isRunning(dir)) {
      if (instance.state === 'Running') {
        await vm.api.resume().catch((resumeError: unknown) => {
          host.logger.error(
            { vmId: id, err: resumeError },
            'could not resume the VM after a failed hibernation',
          );
        });
      }
    } else {
      // The VMM died during the save: its jail goes; the VM boots afresh from its disk.
      await host.kill(dir).catch(() => {});
    }
    throw error;
  }
  const meta: FirecrackerSnapshotMeta = {
    id,
    sourceVmId: id,
    vcpus: vm.stored.spec.vcpus,
    memoryMiB: vm.stored.spec.memoryMiB,
    imageId: boot?.imageId ?? 'unknown',
    layout: layoutOf(vm.jail !== null),
    agentPort: host.agentPort,
    firecrackerVersion: instance.vmm_version,
    createdAt: new Date().toISOString(),
    sizeBytes: await saved.sizeBytes(),
    durationMs: performance.now() - started,
  };
  await saved.writeMeta(meta);
  // The state is complete and the disk flushed: the VMM has nothing left worth a graceful end.
  await host.kill(dir);
  // A VM woken before mapped its memory through these links; nothing maps them any more.
  await dir.dropSnapshotLinks();
  host.logger.info({ vmId: id, durationMs: meta.durationMs, bytes: meta.sizeBytes }, 'microVM hibernated');
}

/**
 * Wakes `dir`'s VM from its saved state; false when it is not hibernated. The caller holds the
 * VM's lock and knows no VMM runs. On failure the VMM is killed; the saved state stays when the
 * load never happened (a later wake tries again; `stop` drops it), and is gone otherwise.
 */
export async function wakeFirecrackerVm(
  host: SavedStateHost,
  dir: FirecrackerVmDir,
  signal?: AbortSignal,
): Promise<boolean> {
  const saved = hibernationOf(dir);
  const meta = await saved.readMeta();
  if (!meta) return false;
  const stored = await dir.read();
  if (!stored) throw vmNotFound(dir.id);
  const what = `the hibernated state of VM ${dir.id}`;
  try {
    assertLoadable(host, meta, what);
  } catch (error) {
    if (!isAetherError(error)) throw error;
    throw new AetherError(error.code, `${error.message}; stop the VM to discard it and boot afresh`, {
      details: { id: dir.id },
    });
  }
  // What the hibernation's kill, or an earlier wake that failed, may have left (a jail).
  await host.kill(dir);
  try {
    const timings = await launchFromSaved(
      host,
      dir,
      stored,
      {
        saved,
        imageId: meta.imageId,
        hostname: stored.spec.name,
        gone: () => new AetherError('ERR_DRIVER_FAILED', `${what} was removed while it was waking`),
        onLoaded: () => saved.remove(),
      },
      signal,
    );
    host.logger.info({ vmId: dir.id, timings }, 'microVM woken from hibernation');
  } catch (error) {
    await host.kill(dir).catch(() => {});
    throw error;
  }
  return true;
}

/** Forgets `dir`'s saved state: the VM boots afresh from its disk next time. */
export function discardHibernation(dir: FirecrackerVmDir): Promise<void> {
  return hibernationOf(dir).remove();
}
