/**
 * Snapshots of Firecracker microVMs. Save: `PATCH /vm Paused`, the microVM state and memory
 * (saved-state.ts), a copy of the VM's disk while it is still paused (Firecracker flushes the
 * disk but does not save it), then `PATCH /vm Resumed` whatever happened. Restore: a new VM
 * with its own copy of that disk, into whose fresh Firecracker the state is loaded
 * (saved-state.ts), with its own clock and hostname.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DriverSnapshotInfo, VmSpec } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import {
  assertLoadable,
  launchFromSaved,
  layoutOf,
  type RunningVm,
  type SavedStateHost,
  writeMicrovmState,
} from './saved-state.js';
import { FirecrackerSnapshotDir, type FirecrackerSnapshotMeta } from './snapshot-files.js';
import { copyRootDisk, type StoredVm } from './vm-files.js';

function toInfo(meta: FirecrackerSnapshotMeta, snap: FirecrackerSnapshotDir): DriverSnapshotInfo {
  return {
    id: meta.id,
    sourceVmId: meta.sourceVmId,
    vcpus: meta.vcpus,
    memoryMiB: meta.memoryMiB,
    imageId: meta.imageId,
    path: snap.dir,
    sizeBytes: meta.sizeBytes,
    durationMs: meta.durationMs,
  };
}

/**
 * Refuses a VM whose VMM was given host-absolute disk or vsock paths (booted by an earlier
 * version of this driver): its snapshot would make every restored VM open the source's disk.
 */
async function assertPortablePaths(vm: RunningVm): Promise<void> {
  const config = (await vm.api.vmConfig()) as {
    drives?: { path_on_host?: string }[];
    vsock?: { uds_path?: string } | null;
  };
  const drives = (config.drives ?? []).map((d) => d.path_on_host);
  if (drives.join('\n') !== vm.paths.inside.rootfs || config.vsock?.uds_path !== vm.paths.inside.vsock) {
    throw new AetherError(
      'ERR_UNSUPPORTED',
      `VM ${vm.dir.id} was booted with host paths for its disk and vsock, which a snapshot would carry to every copy: stop and start it, then snapshot it`,
      { details: { id: vm.dir.id } },
    );
  }
}

/** Saves the running VM `vmId`; the caller holds the VM's and the snapshot's locks. */
export async function saveFirecrackerSnapshot(
  host: SavedStateHost,
  vmId: string,
  snapshotId: string,
): Promise<DriverSnapshotInfo> {
  const snap = new FirecrackerSnapshotDir(host.stateDir, snapshotId);
  const done = await snap.readMeta();
  if (done) return toInfo(done, snap);
  const vm = await host.running(vmId);
  if (vm.stored.network) {
    throw new AetherError(
      'ERR_UNSUPPORTED',
      `VM ${vmId} is on the host bridge: a copy would come up with its MAC and address, so it cannot be snapshotted`,
      { details: { id: vmId } },
    );
  }
  await assertPortablePaths(vm);
  const boot = await vm.dir.readBoot();
  const version = await vm.api
    .version()
    .then((v) => v.firecracker_version)
    .catch(() => null);

  const started = performance.now();
  await snap.prepare();
  try {
    // The save resets every vsock connection of the guest: the next request opens a fresh one.
    host.dropAgent(vmId);
    await vm.api.pause();
    try {
      await writeMicrovmState(host, vm, snap);
      // Still paused, the disk flushed by the save: disk and memory are the same instant.
      await copyRootDisk(vm.paths.host.rootfs, snap.rootfs);
    } finally {
      await vm.api.resume().catch((error: unknown) => {
        host.logger.error({ vmId, err: error }, 'could not resume the VM after its snapshot');
      });
    }
    await snap.protect(vm.jail ? host.jailGid : null);
  } catch (error) {
    await snap.remove();
    throw error;
  }
  const meta: FirecrackerSnapshotMeta = {
    id: snapshotId,
    sourceVmId: vmId,
    vcpus: vm.stored.spec.vcpus,
    memoryMiB: vm.stored.spec.memoryMiB,
    imageId: boot?.imageId ?? 'unknown',
    layout: layoutOf(vm.jail !== null),
    agentPort: host.agentPort,
    firecrackerVersion: version,
    createdAt: new Date().toISOString(),
    sizeBytes: await snap.sizeBytes(),
    durationMs: performance.now() - started,
  };
  await snap.writeMeta(meta);
  host.logger.info({ vmId, snapshotId, durationMs: meta.durationMs }, 'microVM snapshotted');
  return toInfo(meta, snap);
}

/** Creates and runs `spec.id` from a snapshot; the caller holds the VM's lock. */
export async function restoreFirecrackerSnapshot(
  host: SavedStateHost,
  spec: VmSpec,
  snapshotId: string,
  signal?: AbortSignal,
): Promise<void> {
  const snap = new FirecrackerSnapshotDir(host.stateDir, snapshotId);
  const meta = await snap.readMeta();
  if (!meta) {
    throw new AetherError('ERR_SNAPSHOT_NOT_FOUND', `no snapshot ${snapshotId} on this host`, {
      details: { snapshotId },
    });
  }
  if (spec.vcpus !== meta.vcpus || spec.memoryMiB !== meta.memoryMiB) {
    throw new AetherError(
      'ERR_VALIDATION',
      `a VM from snapshot ${snapshotId} has ${meta.vcpus} vCPUs and ${meta.memoryMiB} MiB, not ${spec.vcpus} and ${spec.memoryMiB}`,
      { details: { field: spec.vcpus !== meta.vcpus ? 'vcpus' : 'memoryMiB' } },
    );
  }
  assertLoadable(host, meta, `snapshot ${snapshotId}`);
  const dir = host.dirOf(spec.id);
  if ((await dir.read()) && (await host.isRunning(dir))) return;
  // What a restore that failed half-way left.
  await host.kill(dir);
  await dir.remove();

  const stored: StoredVm = {
    spec: { id: spec.id, name: spec.name, vcpus: spec.vcpus, memoryMiB: spec.memoryMiB, network: false },
    network: null,
    jailUid: null,
  };
  await mkdir(join(host.stateDir, 'v'), { recursive: true, mode: 0o700 });
  await dir.create(stored);
  try {
    await copyRootDisk(snap.rootfs, dir.rootfs);
    const timings = await launchFromSaved(
      host,
      dir,
      stored,
      {
        saved: snap,
        imageId: meta.imageId,
        hostname: spec.name,
        gone: () =>
          new AetherError('ERR_SNAPSHOT_NOT_FOUND', `snapshot ${snapshotId} was deleted during the restore`),
      },
      signal,
    );
    host.logger.info({ vmId: spec.id, snapshotId, timings }, 'microVM restored from a snapshot');
  } catch (error) {
    await host.kill(dir).catch(() => {});
    await dir.remove();
    throw error;
  }
}
