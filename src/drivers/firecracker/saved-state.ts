/**
 * Saving a microVM's memory and device state and loading it into a fresh Firecracker, as
 * Firecracker documents them: what snapshots (firecracker-snapshot.ts) and hibernation
 * (hibernation.ts) share. Save: `PUT /snapshot/create` (Full) while the VM is paused. Load: a
 * fresh Firecracker, only the logger and metrics configured, `PUT /snapshot/load` with
 * `resume_vm`, then the agent (whose vsock listening socket survived; connections did not), the
 * clock and the hostname.
 *
 * A load reopens the disk and the vsock socket at the paths the save recorded, so a VM's VMM is
 * only ever given paths that mean the same in another VMM of the same VM dir or jail layout:
 * inside the jailer's chroot (identical in every jail), or relative to the VMM's working
 * directory (its VM dir) when not jailed. No override of those paths is needed, so none is sent.
 */
import { chown, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AetherError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { AgentClient } from '../../protocol/client.js';
import { resyncRestoredGuest } from '../shared/guest-resync.js';
import type { FirecrackerApi } from './api-client.js';
import type { BootPlan, VmmPaths } from './boot-plan.js';
import { failure, waitForApi } from './guest-boot.js';
import type { JailLayout } from './jailer.js';
import {
  type FirecrackerSnapshotMeta,
  linkSnapshotFile,
  type SavedMicrovmFiles,
  type SnapshotLayout,
} from './snapshot-files.js';
import type { BootTimings, FirecrackerVmDir, StoredVm } from './vm-files.js';
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

/** What the driver lends the code that saves and loads microVMs. */
export interface SavedStateHost {
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
  /** Forgets the VM's agent connection: a save resets the guest's vsock connections. */
  dropAgent(id: string): void;
  /** Spawns a VMM for `dir` as a boot would (jail, uid, cgroup, stale sockets removed). */
  launch(dir: FirecrackerVmDir, stored: StoredVm, imageId: string): Promise<LaunchedVmm>;
  /** Records the launched VMM's timings once it runs. */
  recordBoot(dir: FirecrackerVmDir, timings: BootTimings): Promise<void>;
  connectAgent(vm: RunningVm, timeoutMs: number, signal?: AbortSignal): Promise<AgentClient>;
  /** Kills the VM's VMM, no grace, and removes its jail. */
  kill(dir: FirecrackerVmDir): Promise<void>;
}

export const layoutOf = (jailed: boolean): SnapshotLayout => (jailed ? 'jail' : 'cwd');

/** Moves a file the jailed VMM wrote out of its jail (one file system: the data dir). */
async function moveOut(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    throw new AetherError(
      'ERR_CONFIG',
      `the jail's ${from} and ${to} are on different file systems: put the chroot base and the data dir on one file system`,
      { cause: error },
    );
  }
}

/**
 * Has the paused VM's VMM write its state and memory files into `saved` (jailed: into a dir of
 * its uid inside its chroot, then moved out). The save resets every vsock connection of the
 * guest; the caller dropped its agent connection and decides what the VM does next.
 */
export async function writeMicrovmState(
  host: SavedStateHost,
  vm: RunningVm,
  saved: SavedMicrovmFiles,
): Promise<void> {
  const jailDir = vm.jail ? join(vm.jail.root, 'snapshot') : null;
  try {
    let inside = { vmstate: saved.vmstate, memory: saved.memory };
    if (jailDir) {
      await rm(jailDir, { recursive: true, force: true });
      await mkdir(jailDir, { mode: 0o700 });
      await chown(jailDir, vm.stored.jailUid!, host.jailGid!);
      inside = { vmstate: '/snapshot/vmstate', memory: '/snapshot/memory' };
    }
    await vm.api.createSnapshot({
      snapshot_type: 'Full',
      snapshot_path: inside.vmstate,
      mem_file_path: inside.memory,
    });
    if (jailDir) {
      await moveOut(join(jailDir, 'vmstate'), saved.vmstate);
      await moveOut(join(jailDir, 'memory'), saved.memory);
    }
  } finally {
    if (jailDir) await rm(jailDir, { recursive: true, force: true });
  }
}

/**
 * Refuses a save this driver cannot load: the paths it recorded resolve only under the jail
 * layout it was saved with, and its agent listens on the port it had. `what` names the save.
 */
export function assertLoadable(host: SavedStateHost, meta: FirecrackerSnapshotMeta, what: string): void {
  const layout = layoutOf(host.jailGid !== null);
  if (meta.layout !== layout) {
    throw new AetherError(
      'ERR_UNSUPPORTED',
      `${what} was saved ${meta.layout === 'jail' ? 'under' : 'without'} the jailer, and this driver runs VMs ${layout === 'jail' ? 'under' : 'without'} it: the paths it recorded would not resolve`,
    );
  }
  if (meta.agentPort !== host.agentPort) {
    throw new AetherError(
      'ERR_UNSUPPORTED',
      `the agent of ${what} listens on vsock port ${meta.agentPort}, and this driver dials ${host.agentPort}`,
    );
  }
}

/** What to load into a fresh VMM of a VM. */
export interface SavedStateLoad {
  saved: Pick<SavedMicrovmFiles, 'vmstate' | 'memory'>;
  imageId: string;
  /** The hostname the guest gets (a copy its own, a woken VM its own again). */
  hostname: string;
  /** The error when the saved files vanish before the VMM has its links to them. */
  gone(): AetherError;
  /** Runs once Firecracker accepted the load: from then on the guest runs from the saved state. */
  onLoaded?(): Promise<void>;
}

/**
 * Spawns a VMM for `dir` and loads a saved microVM into it: its files linked where the VMM
 * reads them (the memory file stays linked, mapped for the VM's whole life; the state file goes
 * once loaded), the agent reached, the clock and hostname set, the boot recorded. The caller
 * kills the VMM when it throws.
 */
export async function launchFromSaved(
  host: SavedStateHost,
  dir: FirecrackerVmDir,
  stored: StoredVm,
  load: SavedStateLoad,
  signal?: AbortSignal,
): Promise<BootTimings> {
  const vm = await host.launch(dir, stored, load.imageId);
  const links = vm.jail
    ? {
        host: { vmstate: join(vm.jail.root, 'vmstate'), memory: join(vm.jail.root, 'memory') },
        inside: { vmstate: '/vmstate', memory: '/memory' },
      }
    : { host: dir.snapshotLinks, inside: dir.snapshotLinks };
  try {
    await linkSnapshotFile(load.saved.vmstate, links.host.vmstate);
    await linkSnapshotFile(load.saved.memory, links.host.memory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw load.gone();
  }
  const timings = await loadAndResync(host, vm, load, links.inside, signal);
  // Firecracker is done with the state file once loaded; the memory file stays mapped.
  await rm(links.host.vmstate, { force: true });
  await host.recordBoot(dir, timings);
  return timings;
}

/** The load's stages in the fresh VMM, each timed, failures named by stage (as a boot's are). */
async function loadAndResync(
  host: SavedStateHost,
  vm: LaunchedVmm,
  load: SavedStateLoad,
  files: { vmstate: string; memory: string },
  signal?: AbortSignal,
): Promise<BootTimings> {
  const deadline = Date.now() + host.bootTimeoutMs;
  const context = {
    vmId: vm.dir.id,
    vmm: vm.vmm,
    files: { vmmOutput: vm.dir.vmmOutput, console: vm.paths.host.console, log: vm.paths.host.log },
  };
  await waitForApi({ ...context, api: vm.api }, Math.min(host.apiTimeoutMs, deadline - Date.now()));
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
  await load.onLoaded?.();

  // The guest's agent still listens; the first attempts may meet the vsock reset of the load.
  let agent: AgentClient | null = null;
  while (!agent) {
    signal?.throwIfAborted();
    const exited = vm.vmm.exited();
    if (exited) throw await failure(context, `Firecracker exited after the load (${exited})`);
    const left = deadline - Date.now();
    if (left <= 0)
      throw await failure(context, `agent not answering ${host.bootTimeoutMs} ms after the load`);
    agent = await host.connectAgent(vm, Math.min(1_000, left), signal).catch(() => null);
    if (!agent) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const ready = performance.now();
  try {
    await resyncRestoredGuest(agent, vm.dir.id, load.hostname);
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
