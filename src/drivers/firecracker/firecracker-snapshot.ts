/**
 * Snapshots of Firecracker microVMs, as Firecracker documents them. Save: `PATCH /vm Paused`,
 * `PUT /snapshot/create` (Full: the microVM state file and the guest memory file), a copy of the
 * VM's disk while it is still paused (Firecracker flushes the disk but does not save it), then
 * `PATCH /vm Resumed` whatever happened. Restore: a fresh Firecracker for the new VM, only the
 * logger and metrics configured, `PUT /snapshot/load` with `resume_vm`, then the agent (whose
 * vsock listening socket survived; connections did not), the clock and the hostname.
 *
 * A load reopens the disk and the vsock socket at the paths the snapshot recorded, so a VM's
 * VMM is only ever given paths that mean the same in another VM's VMM: inside the jailer's
 * chroot (identical in every jail), or relative to the VMM's working directory (its VM dir) when
 * not jailed. No override of those paths is needed, so none is sent.
 */
import { chown, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DriverSnapshotInfo, VmSpec } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { AgentClient } from '../../protocol/client.js';
import { resyncRestoredGuest } from '../shared/guest-resync.js';
import type { FirecrackerApi } from './api-client.js';
import type { BootPlan, VmmPaths } from './boot-plan.js';
import { failure } from './guest-boot.js';
import type { JailLayout } from './jailer.js';
import {
  FirecrackerSnapshotDir,
  type FirecrackerSnapshotMeta,
  linkSnapshotFile,
  type SnapshotLayout,
} from './snapshot-files.js';
import { type BootTimings, copyRootDisk, type FirecrackerVmDir, type StoredVm } from './vm-files.js';
import type { StartedVmm } from './vmm-process.js';

const POLL_MS = 20;

/** A VM whose VMM runs, as the driver sees it. */
export interface RunningVm {
  dir: FirecrackerVmDir;
  stored: StoredVm;
  api: FirecrackerApi;
  jail: JailLayout | null;
  /** The VMM's files as it names them, and as we reach them. */
  paths: { inside: VmmPaths; host: VmmPaths };
}

/** A VMM just spawned for a VM (jail prepared, boot.json written), not yet configured. */
export interface LaunchedVmm extends RunningVm {
  vmm: StartedVmm;
  spawnedAt: number;
  plan: BootPlan;
}

/** What the driver lends the snapshot code. */
export interface FirecrackerSnapshotHost {
  stateDir: string;
  /** The guest vsock port the agent listens on. */
  agentPort: number;
  /** The jailed VMMs' group when the driver runs them under the jailer, else null. */
  jailGid: number | null;
  bootTimeoutMs: number;
  apiTimeoutMs: number;
  logger: Logger;
  dirOf(id: string): FirecrackerVmDir;
  /** The VM's running VMM; ERR_VM_NOT_FOUND or ERR_VM_NOT_RUNNING otherwise. */
  running(id: string): Promise<RunningVm>;
  isRunning(dir: FirecrackerVmDir): Promise<boolean>;
  /** Forgets the VM's agent connection: a snapshot resets the guest's vsock connections. */
  dropAgent(id: string): void;
  /** Spawns a VMM for `dir` as a boot would (jail, uid, cgroup, stale sockets removed). */
  launch(dir: FirecrackerVmDir, stored: StoredVm, imageId: string): Promise<LaunchedVmm>;
  /** Records the launched VMM's timings once it runs. */
  recordBoot(dir: FirecrackerVmDir, timings: BootTimings): Promise<void>;
  connectAgent(vm: RunningVm, timeoutMs: number, signal?: AbortSignal): Promise<AgentClient>;
  /** Kills the VM's VMM, no grace, and removes its jail. */
  kill(dir: FirecrackerVmDir): Promise<void>;
}

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

const layoutOf = (jailed: boolean): SnapshotLayout => (jailed ? 'jail' : 'cwd');

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

/** Moves a file the jailed VMM wrote out of its jail (one file system: the data dir). */
async function moveOut(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    throw new AetherError(
      'ERR_CONFIG',
      `the jail's ${from} and the snapshot dir ${to} are on different file systems: put the chroot base and the data dir on one file system`,
      { cause: error },
    );
  }
}

/** Saves the running VM `vmId`; the caller holds the VM's and the snapshot's locks. */
export async function saveFirecrackerSnapshot(
  host: FirecrackerSnapshotHost,
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
  // Where the VMM writes: the snapshot dir, or (jailed) a dir of its own uid inside its chroot.
  let inside = { vmstate: snap.vmstate, memory: snap.memory };
  let written = inside;
  const jailDir = vm.jail ? join(vm.jail.root, 'snapshot') : null;
  try {
    if (vm.jail && jailDir) {
      await rm(jailDir, { recursive: true, force: true });
      await mkdir(jailDir, { mode: 0o700 });
      await chown(jailDir, vm.stored.jailUid!, host.jailGid!);
      inside = { vmstate: '/snapshot/vmstate', memory: '/snapshot/memory' };
      written = { vmstate: join(jailDir, 'vmstate'), memory: join(jailDir, 'memory') };
    }
    // The save resets every vsock connection of the guest: the next request opens a fresh one.
    host.dropAgent(vmId);
    await vm.api.pause();
    try {
      await vm.api.createSnapshot({
        snapshot_type: 'Full',
        snapshot_path: inside.vmstate,
        mem_file_path: inside.memory,
      });
      // Still paused, the disk flushed by the save: disk and memory are the same instant.
      await copyRootDisk(vm.paths.host.rootfs, snap.rootfs);
    } finally {
      await vm.api.resume().catch((error: unknown) => {
        host.logger.error({ vmId, err: error }, 'could not resume the VM after its snapshot');
      });
    }
    if (jailDir) {
      await moveOut(written.vmstate, snap.vmstate);
      await moveOut(written.memory, snap.memory);
    }
    await snap.protect(vm.jail ? host.jailGid : null);
  } catch (error) {
    await snap.remove();
    throw error;
  } finally {
    if (jailDir) await rm(jailDir, { recursive: true, force: true });
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
  host: FirecrackerSnapshotHost,
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
  const layout = layoutOf(host.jailGid !== null);
  if (meta.layout !== layout) {
    throw new AetherError(
      'ERR_UNSUPPORTED',
      `snapshot ${snapshotId} was saved ${meta.layout === 'jail' ? 'under' : 'without'} the jailer, and this driver runs VMs ${layout === 'jail' ? 'under' : 'without'} it: the paths it recorded would not resolve`,
    );
  }
  if (meta.agentPort !== host.agentPort) {
    throw new AetherError(
      'ERR_UNSUPPORTED',
      `snapshot ${snapshotId}'s agent listens on vsock port ${meta.agentPort}, and this driver dials ${host.agentPort}`,
    );
  }
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
    const vm = await host.launch(dir, stored, meta.imageId);
    const links = vm.jail
      ? {
          host: { vmstate: join(vm.jail.root, 'vmstate'), memory: join(vm.jail.root, 'memory') },
          inside: { vmstate: '/vmstate', memory: '/memory' },
        }
      : { host: dir.snapshotLinks, inside: dir.snapshotLinks };
    try {
      await linkSnapshotFile(snap.vmstate, links.host.vmstate);
      await linkSnapshotFile(snap.memory, links.host.memory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new AetherError(
        'ERR_SNAPSHOT_NOT_FOUND',
        `snapshot ${snapshotId} was deleted during the restore`,
      );
    }
    const timings = await loadAndResync(host, vm, spec, links.inside, signal);
    // Firecracker is done with the state file once loaded; the memory file stays mapped.
    await rm(links.host.vmstate, { force: true });
    await host.recordBoot(dir, timings);
    host.logger.info({ vmId: spec.id, snapshotId, timings }, 'microVM restored from a snapshot');
  } catch (error) {
    await host.kill(dir).catch(() => {});
    await dir.remove();
    throw error;
  }
}

/** The restore's stages in the fresh VMM, each timed, failures named by stage (as a boot's are). */
async function loadAndResync(
  host: FirecrackerSnapshotHost,
  vm: LaunchedVmm,
  spec: VmSpec,
  files: { vmstate: string; memory: string },
  signal?: AbortSignal,
): Promise<BootTimings> {
  const deadline = Date.now() + host.bootTimeoutMs;
  const context = {
    vmId: spec.id,
    vmm: vm.vmm,
    files: { vmmOutput: vm.dir.vmmOutput, console: vm.paths.host.console, log: vm.paths.host.log },
  };
  try {
    await vm.api.waitReady(Math.min(host.apiTimeoutMs, deadline - Date.now()), vm.vmm.exited);
  } catch (error) {
    const exited = vm.vmm.exited();
    throw await failure(
      context,
      exited
        ? `Firecracker exited at start (${exited})`
        : `Firecracker API did not come up (${(error as Error).message})`,
      error,
    );
  }
  const vmmUp = performance.now();
  try {
    // Only the logger and metrics may precede a load; neither is part of the snapshot.
    await vm.api.putLogger(vm.plan.logger);
    await vm.api.putMetrics(vm.plan.metrics);
    await vm.api.loadSnapshot({
      snapshot_path: files.vmstate,
      mem_backend: { backend_type: 'File', backend_path: files.memory },
      resume_vm: true,
    });
  } catch (error) {
    throw await failure(
      context,
      `Firecracker refused to load the snapshot: ${(error as Error).message}`,
      error,
    );
  }
  const loaded = performance.now();

  // The guest's agent still listens; the first attempts may meet the vsock reset of the load.
  let agent: AgentClient | null = null;
  while (!agent) {
    signal?.throwIfAborted();
    const exited = vm.vmm.exited();
    if (exited) throw await failure(context, `Firecracker exited after the load (${exited})`);
    const left = deadline - Date.now();
    if (left <= 0)
      throw await failure(context, `agent not answering ${host.bootTimeoutMs} ms after the restore`);
    agent = await host.connectAgent(vm, Math.min(1_000, left), signal).catch(() => null);
    if (!agent) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const ready = performance.now();
  try {
    await resyncRestoredGuest(agent, spec.id, spec.name);
  } finally {
    await agent.close();
  }
  return {
    vmmStartMs: vmmUp - vm.spawnedAt,
    configureMs: loaded - vmmUp,
    kernelBootMs: null,
    agentStartMs: ready - loaded,
    totalMs: performance.now() - vm.spawnedAt,
  };
}
