/**
 * The `firecracker` driver: each VM is a Firecracker microVM (its own kernel, KVM, a handful of
 * virtio-mmio devices), configured over Firecracker's API socket and booted from the guest
 * image's ext4 root, of which every VM has its own copy (files persist across executions, stop
 * and start, and worker restarts). The guest agent is reached over Firecracker's hybrid vsock:
 * a Unix socket plus a `CONNECT <port>` handshake, a fresh connection per host. With the jailer
 * (production), each VMM runs chrooted, as its own uid, in its own cgroup. Snapshots and VMs
 * restored from them: firecracker-snapshot.ts; hibernation in place: hibernation.ts.
 *
 * The VMM runs detached in its own process group and outlives this process; a driver over the
 * same stateDir finds it again through `boot.json`, trusting the pid only while it is the same
 * process (start time) and its command line names this VM.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DriverVmInfo, VmDriver, VmSpec } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { AgentConnections } from '../shared/agent-connections.js';
import { agentProbe } from '../shared/agent-probe.js';
import { agentVerbs } from '../shared/agent-verbs.js';
import { vmNotFound, vmNotRunning } from '../shared/driver-errors.js';
import { bootRecordStatus, statusesOf } from '../shared/driver-status.js';
import { guestOomAware } from '../shared/guest-oom.js';
import { guestUsage } from '../shared/guest-usage.js';
import { isAlive, waitForExit } from '../shared/host-proc.js';
import { perIdLock } from '../shared/per-id-lock.js';
import { vmmGone } from '../shared/vmm-gone.js';
import { FirecrackerApi } from './api-client.js';
import { bootPlan, MAX_FIRECRACKER_VCPUS, type VmmPaths } from './boot-plan.js';
import { firecrackerHealth } from './driver-health.js';
import { requireExecutable } from './executables.js';
import { restoreFirecrackerSnapshot, saveFirecrackerSnapshot } from './firecracker-snapshot.js';
import { bootGuest } from './guest-boot.js';
import {
  discardHibernation,
  hasHibernationState,
  hibernateFirecrackerVm,
  wakeFirecrackerVm,
} from './hibernation.js';
import { describeFirecrackerIsolation } from './isolation.js';
import {
  allocateJailUid,
  assertJailId,
  isJailId,
  type JailLayout,
  jailerArgs,
  jailLayout,
  prepareJail,
  removeJail,
} from './jailer.js';
import { assertNetworkAttachment } from './kernel-cmdline.js';
import type { LaunchedVmm, SavedStateHost } from './saved-state.js';
import {
  type FirecrackerDriverDeps,
  type FirecrackerDriverSettings,
  type FirecrackerImage,
  type ResolvedFirecrackerSettings,
  resolveFirecrackerSettings,
} from './settings.js';
import { FirecrackerSnapshotDir } from './snapshot-files.js';
import {
  type BootRecord,
  type BootTimings,
  copyRootDisk,
  FirecrackerVmDir,
  listFirecrackerVmIds,
  type StoredVm,
} from './vm-files.js';
import { defaultSpawner, isVmmOf, killVmm, startVmm, VMM_ENV } from './vmm-process.js';
import { connectVsockAgent } from './vsock.js';

/** How long a request for a running VM waits for its agent. */
const AGENT_CONNECT_MS = 5_000;

export interface FirecrackerDriver extends VmDriver {
  snapshot: NonNullable<VmDriver['snapshot']>;
  createFromSnapshot: NonNullable<VmDriver['createFromSnapshot']>;
  deleteSnapshot: NonNullable<VmDriver['deleteSnapshot']>;
  /** Pauses the VM's vCPUs (`PATCH /vm Paused`); the agent does not answer until `resume`. */
  pause(id: string): Promise<void>;
  /** Resumes a paused VM's vCPUs, or wakes a hibernated VM from its saved state. */
  resume(id: string): Promise<void>;
  /** Saves the VM's memory and device state beside its disk and ends its VMM (hibernation.ts). */
  hibernate: NonNullable<VmDriver['hibernate']>;
  /** How long the VM's last boot took, split by stage. */
  bootTimings(id: string): Promise<BootTimings | null>;
}

export function createFirecrackerDriver(
  settings: FirecrackerDriverSettings,
  deps: FirecrackerDriverDeps = {},
): FirecrackerDriver {
  const s: ResolvedFirecrackerSettings = resolveFirecrackerSettings(settings);
  const logger: Logger = (deps.logger ?? silentLogger).child({ driver: 'firecracker' });
  const spawner = deps.spawner ?? defaultSpawner;
  const withLock = perIdLock();
  /** Allocations across VMs (jail uids) take this one lock. */
  const allocationLock = perIdLock();

  const dirOf = (id: string) => new FirecrackerVmDir(s.stateDir, id);

  async function existing(id: string): Promise<{ dir: FirecrackerVmDir; stored: StoredVm }> {
    const dir = dirOf(id);
    const stored = await dir.read();
    if (!stored) throw vmNotFound(id);
    return { dir, stored };
  }

  function jailOf(id: string): JailLayout | null {
    if (!s.jailer) return null;
    return jailLayout({
      chrootBaseDir: s.jailer.chrootBaseDir,
      firecrackerBinary: s.firecrackerBinary,
      vmId: id,
      cgroupRoot: s.jailer.cgroupRoot,
    });
  }

  /**
   * The VMM's files as it names them, and the same files as we reach them. Unjailed, the VMM
   * runs in the VM's directory and gets paths relative to it (see vm-files.ts: a snapshot
   * records them, and they must name the restored VM's own files in its own directory).
   */
  function pathsOf(
    dir: FirecrackerVmDir,
    jailed: boolean,
  ): { inside: VmmPaths; host: VmmPaths & { apiSocket: string } } {
    const jail = jailed ? jailOf(dir.id) : null;
    if (jail) return { inside: jail.inside, host: jail.host };
    return {
      inside: { ...dir.unjailedInside, kernel: s.kernel },
      host: { ...dir.unjailed, kernel: s.kernel },
    };
  }

  /** The VM's VMM pid while it runs and provably is this VM's (a recycled pid never counts). */
  async function livePid(dir: FirecrackerVmDir): Promise<number | null> {
    const boot = await dir.readBoot();
    return boot && isVmmOf(boot, dir.id) ? boot.pid : null;
  }

  async function connectAgent(
    dir: FirecrackerVmDir,
    jailed: boolean,
    timeoutMs: number,
    signal?: AbortSignal,
  ) {
    return connectVsockAgent({
      udsPath: pathsOf(dir, jailed).host.vsock,
      port: s.agentPort,
      timeoutMs,
      attemptTimeoutMs: Math.min(1_000, timeoutMs),
      logger,
      ...(signal ? { signal } : {}),
    });
  }

  const agents = new AgentConnections(async (id) => {
    const { dir } = await existing(id);
    const boot = await dir.readBoot();
    if ((await livePid(dir)) === null || !boot) throw vmNotRunning(id);
    return connectAgent(dir, boot.jailed, AGENT_CONNECT_MS);
  });

  async function apiOf(id: string): Promise<FirecrackerApi> {
    const { dir } = await existing(id);
    const boot = await dir.readBoot();
    if ((await livePid(dir)) === null || !boot) throw vmNotRunning(id);
    return new FirecrackerApi(pathsOf(dir, boot.jailed).host.apiSocket, { timeoutMs: s.apiTimeoutMs });
  }

  /** The jail uid of a VM, allocated (and stored) on first need. */
  async function jailUidOf(dir: FirecrackerVmDir, stored: StoredVm): Promise<number> {
    if (stored.jailUid !== null) return stored.jailUid;
    return allocationLock('jail-uid', async () => {
      const used = await Promise.all(
        (await listFirecrackerVmIds(s.stateDir)).map(async (id) => (await dirOf(id).read())?.jailUid ?? null),
      );
      const uid = allocateJailUid(
        s.jailer!,
        used.filter((u): u is number => u !== null),
      );
      stored.jailUid = uid;
      await dir.create(stored);
      return uid;
    });
  }

  /**
   * Spawns the VMM for `dir` (under the jailer when configured: a fresh jail, the VM's uid and
   * cgroup), after removing what a previous run left, and records it in boot.json.
   */
  async function launch(dir: FirecrackerVmDir, stored: StoredVm, imageId: string): Promise<LaunchedVmm> {
    const { spec, network } = stored;
    const jail = jailOf(dir.id);
    const firecracker = requireExecutable(s.firecrackerBinary, 'AETHER_FIRECRACKER_BIN');
    let binary = firecracker;
    let args = ['--api-sock', dir.unjailed.apiSocket, '--id', dir.id];
    if (jail) {
      const uid = await jailUidOf(dir, stored);
      binary = requireExecutable(s.jailer!.binary, 'AETHER_JAILER_BIN');
      await removeJail(jail); // a jail left by a crash: the jailer refuses to rebuild /dev in it
      const gid = s.jailer!.uidBase;
      await prepareJail(jail, { kernel: s.kernel, rootfs: dir.rootfs, uid, gid });
      args = jailerArgs({
        layout: jail,
        firecrackerBinary: firecracker,
        chrootBaseDir: s.jailer!.chrootBaseDir,
        uid,
        gid,
        vcpus: spec.vcpus,
        memoryMiB: spec.memoryMiB,
      });
    }
    await dir.clearRuntime();
    const paths = pathsOf(dir, jail !== null);
    const plan = bootPlan({
      vcpus: spec.vcpus,
      memoryMiB: spec.memoryMiB,
      paths: paths.inside,
      agentPort: s.agentPort,
      network,
    });

    const spawnedAt = performance.now();
    const vmm = await startVmm(spawner, {
      binary,
      args,
      cwd: dir.dir,
      env: VMM_ENV,
      outputPath: dir.vmmOutput,
    });
    const record: BootRecord = {
      pid: vmm.pid,
      startTime: vmm.startTime,
      jailed: jail !== null,
      imageId,
      kernel: s.kernel,
      bootedAt: new Date().toISOString(),
      timings: null,
    };
    await dir.writeBoot(record);
    const api = new FirecrackerApi(paths.host.apiSocket, { timeoutMs: s.apiTimeoutMs });
    return { dir, stored, api, jail, paths, vmm, spawnedAt, plan };
  }

  async function recordBoot(dir: FirecrackerVmDir, timings: BootTimings): Promise<void> {
    const record = await dir.readBoot();
    if (record) await dir.writeBoot({ ...record, timings });
  }

  /** Spawns the VMM for `dir`, configures and starts the guest, waits for its agent; kills it on failure. */
  async function boot(
    dir: FirecrackerVmDir,
    stored: StoredVm,
    image: FirecrackerImage,
    signal?: AbortSignal,
  ) {
    const vm = await launch(dir, stored, image.id);
    const jailed = vm.jail !== null;
    let timings: BootTimings;
    try {
      timings = await bootGuest({
        vmId: dir.id,
        vmm: vm.vmm,
        spawnedAt: vm.spawnedAt,
        api: vm.api,
        plan: vm.plan,
        deadline: Date.now() + s.bootTimeoutMs,
        bootTimeoutMs: s.bootTimeoutMs,
        apiTimeoutMs: s.apiTimeoutMs,
        files: { vmmOutput: dir.vmmOutput, console: vm.paths.host.console, log: vm.paths.host.log },
        connectAgent: (timeoutMs) => connectAgent(dir, jailed, timeoutMs, signal),
        logger,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      await kill(dir, 0).catch(() => {});
      throw error;
    }
    await recordBoot(dir, timings);
    logger.info({ vmId: dir.id, jailed, timings }, 'microVM booted');
  }

  /**
   * Syncs the guest's disks through the agent, asks the guest to shut down (SendCtrlAltDel, x86
   * only: Firecracker exits when the guest resets), waits up to `graceMs`, then SIGKILLs the
   * process group. The jail (if any) is removed once the process is gone.
   */
  async function kill(dir: FirecrackerVmDir, graceMs: number): Promise<void> {
    agents.drop(dir.id);
    const boot = await dir.readBoot();
    const pid = await livePid(dir);
    if (pid !== null && boot) {
      if (graceMs > 0) await shutDownGracefully(dir, boot, pid, graceMs);
      if (isAlive(pid)) await killVmm(pid, dir.id);
    }
    const jail = s.jailer && (boot?.jailed ?? true) && isJailId(dir.id) ? jailOf(dir.id) : null;
    if (jail) {
      const { cgroupLeft } = await removeJail(jail);
      if (cgroupLeft)
        logger.warn({ vmId: dir.id, cgroup: jail.cgroupDir }, 'cgroup still busy; left in place');
    }
  }

  async function shutDownGracefully(dir: FirecrackerVmDir, boot: BootRecord, pid: number, graceMs: number) {
    const deadline = Date.now() + graceMs;
    try {
      const agent = await connectAgent(dir, boot.jailed, Math.min(graceMs, 2_000));
      try {
        await agent.exec({ argv: ['sync'], timeoutMs: Math.max(1, deadline - Date.now()) });
      } finally {
        await agent.close();
      }
    } catch (error) {
      logger.warn({ vmId: dir.id, err: error }, 'could not sync the guest before stopping it');
    }
    if (process.arch !== 'x64') return; // SendCtrlAltDel exists on x86 only: the kill follows
    try {
      const api = new FirecrackerApi(pathsOf(dir, boot.jailed).host.apiSocket, {
        timeoutMs: Math.min(s.apiTimeoutMs, Math.max(1, deadline - Date.now())),
      });
      await api.sendCtrlAltDel();
    } catch (error) {
      logger.warn({ vmId: dir.id, err: error }, 'SendCtrlAltDel failed; killing the VMM');
      return;
    }
    await waitForExit([pid], Math.max(0, deadline - Date.now()));
  }

  async function create(spec: VmSpec): Promise<void> {
    const dir = dirOf(spec.id);
    if (await dir.read()) return;
    if (spec.vcpus > MAX_FIRECRACKER_VCPUS) {
      throw new AetherError(
        'ERR_VALIDATION',
        `a firecracker VM has at most ${MAX_FIRECRACKER_VCPUS} vCPUs, not ${spec.vcpus}`,
        { details: { field: 'vcpus' } },
      );
    }
    // Firecracker's `--id` and the jailer's take the same ids.
    assertJailId(spec.id);
    const network = spec.networkAttachment ?? null;
    if (network) assertNetworkAttachment(network);
    if (spec.network === true && !network) {
      throw new AetherError(
        'ERR_NETWORK_UNAVAILABLE',
        'a firecracker VM gets network only through a TAP device on the host bridge, and none was attached: run `aether network setup` on this host',
        { details: { id: spec.id } },
      );
    }
    const image = await s.image();
    await mkdir(join(s.stateDir, 'v'), { recursive: true, mode: 0o700 });
    const { networkAttachment: _, ...plainSpec } = spec;
    await dir.create({ spec: plainSpec, network, jailUid: null });
    try {
      await copyRootDisk(image.rootfs, dir.rootfs);
    } catch (error) {
      await dir.remove();
      throw error;
    }
  }

  async function start(id: string, signal?: AbortSignal): Promise<void> {
    const { dir, stored } = await existing(id);
    if ((await livePid(dir)) !== null) {
      // Saved while the VMM still ran (an attempt cut short): stale, never to be loaded.
      await discardHibernation(dir);
      await agents.use(id, (agent) => agent.ping());
      return;
    }
    if (await wakeFirecrackerVm(savedStates, dir, signal)) return;
    // Without meta.json a save was cut short: a half state is never loaded.
    await discardHibernation(dir);
    if (s.kernel === '') {
      throw new AetherError(
        'ERR_ISOLATION_UNAVAILABLE',
        'no guest kernel configured for firecracker VMs: build one with `aether image kernel` and set AETHER_KERNEL',
      );
    }
    await boot(dir, stored, await s.image(), signal);
  }

  async function resume(id: string): Promise<void> {
    const { dir } = await existing(id);
    if ((await livePid(dir)) !== null) {
      await (await apiOf(id)).resume();
      await discardHibernation(dir);
      return;
    }
    if (!(await wakeFirecrackerVm(savedStates, dir))) throw vmNotRunning(id);
  }

  const savedStates: SavedStateHost = {
    stateDir: s.stateDir,
    agentPort: s.agentPort,
    jailGid: s.jailer ? s.jailer.uidBase : null,
    bootTimeoutMs: s.bootTimeoutMs,
    apiTimeoutMs: s.apiTimeoutMs,
    logger,
    dirOf,
    async running(id) {
      const { dir, stored } = await existing(id);
      const boot = await dir.readBoot();
      if ((await livePid(dir)) === null || !boot) {
        throw vmNotRunning(id, 'only a running VM can be snapshotted');
      }
      const paths = pathsOf(dir, boot.jailed);
      return {
        dir,
        stored,
        api: new FirecrackerApi(paths.host.apiSocket, { timeoutMs: s.apiTimeoutMs }),
        jail: boot.jailed ? jailOf(id) : null,
        paths,
      };
    },
    isRunning: async (dir) => (await livePid(dir)) !== null,
    dropAgent: (id) => agents.drop(id),
    launch,
    recordBoot,
    connectAgent: (vm, timeoutMs, signal) => connectAgent(vm.dir, vm.jail !== null, timeoutMs, signal),
    kill: (dir) => kill(dir, 0),
  };

  async function status(id: string): Promise<DriverVmInfo> {
    const dir = dirOf(id);
    const info = await bootRecordStatus(
      id,
      {
        exists: async () => (await dir.read()) !== null,
        readBoot: () => dir.readBoot(),
        livePid: () => livePid(dir),
      },
      (pid, boot) => ({ pid, jailed: boot?.jailed, image: boot?.imageId, timings: boot?.timings }),
    );
    if ((info.state === 'stopped' || info.state === 'created') && (await hasHibernationState(dir))) {
      return { id, state: 'stopped', detail: { hibernated: true } };
    }
    return info;
  }

  return {
    name: 'firecracker',
    isolation: describeFirecrackerIsolation(s.jailer !== null),
    // VMs with network join the host bridge through a TAP the worker leases for them.
    tapNetwork: true,
    create: (spec) => withLock(spec.id, () => create(spec)),
    start: (id, signal) => withLock(id, () => start(id, signal)),
    ...agentVerbs(agents),
    exec: guestOomAware(agentVerbs(agents).exec),
    usage: guestUsage(agents),
    stop: (id, options) =>
      withLock(id, async () => {
        const { dir } = await existing(id);
        const graceMs = options?.graceMs ?? s.stopGraceMs;
        // What the guest wrote may still be in its saved memory: woken, it syncs in the stop.
        if (graceMs > 0 && (await livePid(dir)) === null) {
          await wakeFirecrackerVm(savedStates, dir).catch((error: unknown) => {
            logger.warn(
              { vmId: id, err: error },
              'could not wake the hibernated VM to stop it; its saved memory is dropped',
            );
          });
        }
        await kill(dir, graceMs);
        // A stopped VM boots afresh from its disk: memory a hibernation saved is not kept.
        await discardHibernation(dir);
      }),
    destroy: (id) =>
      withLock(id, async () => {
        const dir = dirOf(id);
        await kill(dir, 0);
        await dir.remove();
      }),
    status,
    probe: agentProbe(agents, status, vmmGone('Firecracker')),
    list: async () => statusesOf(await listFirecrackerVmIds(s.stateDir), status),
    health: () => firecrackerHealth(s),
    close: () => agents.closeAll(),
    snapshot: (vmId, snapshotId) =>
      withLock(vmId, () =>
        withLock(`snapshot:${snapshotId}`, () => saveFirecrackerSnapshot(savedStates, vmId, snapshotId)),
      ),
    createFromSnapshot(spec, snapshotId, signal) {
      assertJailId(spec.id);
      return withLock(spec.id, () => restoreFirecrackerSnapshot(savedStates, spec, snapshotId, signal));
    },
    deleteSnapshot: (snapshotId) =>
      withLock(`snapshot:${snapshotId}`, async () => {
        // Each restored VM holds its own link to the memory file: nothing it maps goes away.
        await new FirecrackerSnapshotDir(s.stateDir, snapshotId).remove();
      }),
    pause: (id) => withLock(id, async () => (await apiOf(id)).pause()),
    resume: (id) => withLock(id, () => resume(id)),
    hibernate: (id, signal) => withLock(id, () => hibernateFirecrackerVm(savedStates, id, signal)),
    async bootTimings(id) {
      return (await dirOf(id).readBoot())?.timings ?? null;
    },
  } satisfies FirecrackerDriver;
}
