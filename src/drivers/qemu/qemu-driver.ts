/**
 * The `qemu` driver: each VM is a QEMU `microvm` (its own kernel, virtio-mmio devices) booted from
 * the guest image's kernel and initramfs, with a copy-on-write qcow2 overlay over the image's ext4
 * root, so files persist across executions and restarts and VMs never share writes. The guest
 * agent speaks over a virtio-serial port that QEMU exposes as a Unix socket; the channel is a
 * byte stream, so every connection starts with a resync. Lifecycle goes over QMP.
 *
 * QEMU runs detached in its own session and outlives this process; a driver over the same
 * stateDir finds it again through `boot.json`, trusting the pid only while its command line
 * names this VM (`-name aether-<id>` and its disk).
 */
import { execFile } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DriverSnapshotInfo, DriverVmInfo, VmDriver, VmSpec } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import type { IsolationInfo } from '../../core/vm.js';
import { AgentClient } from '../../protocol/client.js';
import { AgentConnections } from '../shared/agent-connections.js';
import { agentProbe } from '../shared/agent-probe.js';
import { connectAgentSocket } from '../shared/agent-socket.js';
import { agentVerbs } from '../shared/agent-verbs.js';
import { vmNotFound, vmNotRunning } from '../shared/driver-errors.js';
import { bootRecordStatus, healthOf, statusesOf } from '../shared/driver-status.js';
import { guestOomAware } from '../shared/guest-oom.js';
import { guestUsage } from '../shared/guest-usage.js';
import { cmdline, isAlive, signalPid, waitForExit } from '../shared/host-proc.js';
import { perIdLock } from '../shared/per-id-lock.js';
import { vmmGone } from '../shared/vmm-gone.js';
import { probeKvm } from './accel.js';
import { qemuArgs } from './qemu-args.js';
import { hibernateQemuVm, hibernationOf, isHibernated, wakeQemuVm } from './qemu-hibernate.js';
import { createQemuWarmPool } from './qemu-pool.js';
import { spawnQemu } from './qemu-process.js';
import {
  deleteQemuSnapshot,
  type QemuSnapshotHost,
  restoreQemuSnapshot,
  saveQemuSnapshot,
} from './qemu-snapshot.js';
import { QmpClient } from './qmp.js';
import {
  type Accel,
  type GuestImage,
  QEMU_ENV,
  type QemuDriverDeps,
  type QemuDriverSettings,
  type QemuNetworkMode,
  type ResolvedQemuSettings,
  resolveQemuSettings,
} from './settings.js';
import { type BootRecord, type BootTimings, listQemuVmIds, QemuVmDir } from './vm-files.js';

const execFileAsync = promisify(execFile);

const CONNECT_TIMEOUT_MS = 1_000;
const SYNC_ATTEMPT_MS = 1_000;
const POLL_MS = 20;
const KILL_WAIT_MS = 5_000;
/** The first line the guest's init writes on the console: the kernel is done. */
const INIT_MARKER = 'aether-init:';
const IDLE_RELEASE_MS = 1_000;

export interface QemuDriver extends VmDriver {
  /** The accelerator VMs boot with here, and why when it is not KVM. */
  accelerator(): Promise<{ accel: Accel; reason: string | null }>;
  /** How long the VM's last boot took, split by stage. */
  bootTimings(id: string): Promise<BootTimings | null>;
  snapshot(vmId: string, snapshotId: string, signal?: AbortSignal): Promise<DriverSnapshotInfo>;
  createFromSnapshot(spec: VmSpec, snapshotId: string, signal?: AbortSignal): Promise<void>;
  deleteSnapshot(snapshotId: string): Promise<void>;
  /** Fills the warm pool; resolves once it is full (at once without one). */
  warmUp(): Promise<void>;
}

function describeIsolation(accel: Accel | null, why: string | null, network: QemuNetworkMode): IsolationInfo {
  const how =
    accel === null
      ? 'KVM, or software emulation (TCG) where KVM cannot boot it (decided at the first boot)'
      : accel === 'kvm'
        ? 'hardware virtualisation (KVM)'
        : `software emulation (TCG${why ? `; KVM unusable here: ${why}` : ''}), slower but isolated the same way`;
  return {
    level: accel === null ? 'microvm' : `microvm-${accel}`,
    kernel: 'dedicated',
    summary:
      `QEMU microvm per VM with its own Linux kernel, via ${how}. Devices: a virtio-blk disk ` +
      '(copy-on-write overlay of the image), a virtio-serial port to the agent, an entropy source; ' +
      `no network unless asked (then ${network === 'tap' ? "a TAP on the host bridge, behind the host's NAT and egress rules" : 'QEMU user-mode networking, outbound only'}). The guest shares ` +
      'no file system and no kernel with the host; the boundary is the hypervisor.',
    limits: {
      enforced: true,
      mechanism:
        "the VMM: vcpus and memory are the guest's hardware (its own kernel's OOM killer ends a command past it); the disk is the image's size",
      pids: null,
      tmpMiB: null,
      diskMiB: null,
    },
  };
}

export function createQemuDriver(settings: QemuDriverSettings, deps: QemuDriverDeps = {}): QemuDriver {
  const s: ResolvedQemuSettings = resolveQemuSettings(settings);
  const logger: Logger = (deps.logger ?? silentLogger).child({ driver: 'qemu' });
  const withLock = perIdLock();
  let accelChoice: Promise<{ accel: Accel; reason: string | null }> | null = null;
  /** Set once KVM failed to boot a guest: later boots go straight to TCG. */
  let kvmFailed: string | null = null;

  /** The accelerator of the latest boot (or choice), for `isolation`: what VMs really get. */
  let current: { accel: Accel; reason: string | null } | null =
    s.accel === 'auto' ? null : { accel: s.accel, reason: null };

  function chooseAccel(): Promise<{ accel: Accel; reason: string | null }> {
    if (s.accel !== 'auto') return Promise.resolve({ accel: s.accel, reason: null });
    if (kvmFailed) return Promise.resolve({ accel: 'tcg', reason: kvmFailed });
    accelChoice ??= probeKvm(s.qemuBinary).then((probe) => {
      if (probe.usable) return { accel: 'kvm' as const, reason: null };
      logger.warn({ reason: probe.reason }, 'KVM unusable: microVMs run under software emulation (TCG)');
      return { accel: 'tcg' as const, reason: probe.reason };
    });
    return accelChoice.then((choice) => {
      current ??= choice;
      return choice;
    });
  }

  const dirOf = (id: string) => new QemuVmDir(s.stateDir, id);

  async function existing(id: string): Promise<QemuVmDir> {
    const dir = dirOf(id);
    if (!(await dir.readSpec())) throw vmNotFound(id);
    return dir;
  }

  /** The VM's QEMU pid while it runs and provably is this VM's (a recycled pid never counts). */
  async function livePid(dir: QemuVmDir): Promise<number | null> {
    const boot = await dir.readBoot();
    if (!boot || !isAlive(boot.pid)) return null;
    const argv = cmdline(boot.pid);
    // An adopted pool member runs under its pool id (random, so as telling) and its old paths.
    const ours = boot.tag
      ? argv?.includes(`aether-${boot.tag}`)
      : argv?.includes(`aether-${dir.id}`) && argv.some((arg) => arg.includes(dir.files.disk));
    return ours ? boot.pid : null;
  }

  /** A synced agent connection over the VM's serial port. */
  async function connectAgent(dir: QemuVmDir, syncMs: number): Promise<AgentClient> {
    const socket = await connectAgentSocket(dir.files.agentSocket, CONNECT_TIMEOUT_MS);
    const agent = new AgentClient(socket, { logger, resync: true });
    try {
      await agent.sync(syncMs);
      return agent;
    } catch (error) {
      await agent.close();
      throw error;
    }
  }

  // QEMU's chardev serves one client at a time: an idle connection is let go for others.
  const agents = new AgentConnections(
    async (id) => {
      const dir = await existing(id);
      if ((await livePid(dir)) === null) throw vmNotRunning(id);
      return connectAgent(dir, 5_000);
    },
    { idleReleaseMs: IDLE_RELEASE_MS },
  );

  /** Spawns QEMU for `dir` and waits for its agent; kills it again on any failure. */
  async function boot(dir: QemuVmDir, spec: VmSpec, accel: Accel, image: GuestImage, signal?: AbortSignal) {
    await dir.clearRuntime();
    const args = qemuArgs({
      vmId: spec.id,
      vcpus: spec.vcpus,
      memoryMiB: spec.memoryMiB,
      network: spec.network === true,
      networkAttachment: spec.networkAttachment,
      accel,
      image,
      files: dir.files,
    });
    const started = performance.now();
    const qemu = await spawnQemu(s.qemuBinary, args, dir.dir);
    const record: BootRecord = {
      pid: qemu.pid,
      accel,
      imageId: image.id,
      bootedAt: new Date().toISOString(),
      timings: null,
    };
    await dir.writeBoot(record);

    const deadline = Date.now() + s.bootTimeoutMs;
    const failure = async (why: string) => {
      const console = await dir.consoleTail();
      return new AetherError(
        qemu.exited() ? 'ERR_DRIVER_FAILED' : 'ERR_VM_BOOT_TIMEOUT',
        `VM ${spec.id} (${accel}) ${why}${qemu.stderr().trim() ? `; QEMU said: ${qemu.stderr().trim().slice(-1000)}` : ''}${console ? `; guest console: ${console}` : ''}`,
        { details: { id: spec.id, accel } },
      );
    };
    try {
      // Stage 1: QEMU is up when QMP answers.
      let qmp: QmpClient | null = null;
      while (!qmp) {
        signal?.throwIfAborted();
        if (qemu.exited()) throw await failure(`QEMU exited at start (${qemu.exited()})`);
        if (Date.now() > deadline) throw await failure('QEMU did not open QMP');
        qmp = await QmpClient.open(dir.files.qmpSocket, CONNECT_TIMEOUT_MS).catch(() => null);
        if (!qmp) await sleep(POLL_MS);
      }
      qmp.close();
      const qemuUp = performance.now();
      // Stages 2 and 3: the init's console line, then the agent answering a resync.
      let initSeen: number | null = null;
      for (;;) {
        signal?.throwIfAborted();
        if (qemu.exited()) throw await failure(`QEMU exited during boot (${qemu.exited()})`);
        if (Date.now() > deadline) throw await failure(`agent not ready after ${s.bootTimeoutMs} ms`);
        if (initSeen === null && (await dir.consoleTail(100_000)).includes(INIT_MARKER))
          initSeen = performance.now();
        const agent = initSeen === null ? null : await connectAgent(dir, SYNC_ATTEMPT_MS).catch(() => null);
        if (agent && initSeen !== null) {
          const ready = performance.now();
          await agent.setClock(Date.now()).catch((error: unknown) => {
            logger.warn({ vmId: spec.id, err: error }, 'cannot set the guest clock');
          });
          await agent.close();
          record.timings = {
            qemuStartMs: qemuUp - started,
            kernelBootMs: initSeen - qemuUp,
            agentStartMs: ready - initSeen,
            totalMs: ready - started,
          };
          await dir.writeBoot(record);
          logger.info({ vmId: spec.id, accel, timings: record.timings }, 'microVM booted');
          return;
        }
        await sleep(initSeen === null ? POLL_MS * 5 : POLL_MS);
      }
    } catch (error) {
      await kill(dir, 0).catch(() => {});
      throw error;
    }
  }

  /** Syncs the guest's disks through the agent, asks QEMU to quit over QMP, then SIGKILL. */
  async function kill(dir: QemuVmDir, graceMs: number): Promise<void> {
    agents.drop(dir.id);
    const pid = await livePid(dir);
    if (pid === null) return;
    if (graceMs > 0) {
      try {
        const agent = await connectAgent(dir, Math.min(graceMs, 2_000));
        try {
          await agent.exec({ argv: ['sync'], timeoutMs: graceMs });
        } finally {
          await agent.close();
        }
      } catch (error) {
        logger.warn({ vmId: dir.id, err: error }, 'could not sync the guest before stopping it');
      }
      try {
        const qmp = await QmpClient.open(dir.files.qmpSocket, CONNECT_TIMEOUT_MS);
        await qmp.execute('quit').catch(() => {});
        qmp.close();
      } catch {
        // fall through to the signal
      }
      if (await waitForExit([pid], graceMs)) return;
    }
    signalPid(pid, 'SIGKILL');
    if (!(await waitForExit([pid], KILL_WAIT_MS))) {
      throw new AetherError('ERR_DRIVER_FAILED', `QEMU of VM ${dir.id} (pid ${pid}) survived SIGKILL`);
    }
  }

  /** Pause and resume: QMP `stop` halts the vCPUs (memory and devices stay), `cont` runs them on. */
  async function vcpus(id: string, command: 'stop' | 'cont'): Promise<void> {
    const dir = await existing(id);
    if ((await livePid(dir)) === null) throw vmNotRunning(id);
    const qmp = await QmpClient.open(dir.files.qmpSocket, CONNECT_TIMEOUT_MS);
    try {
      await qmp.execute(command);
    } finally {
      qmp.close();
    }
  }

  const snapshotHost: QemuSnapshotHost = {
    stateDir: s.stateDir,
    qemuBinary: s.qemuBinary,
    qemuImgBinary: s.qemuImgBinary,
    bootTimeoutMs: s.bootTimeoutMs,
    logger,
    livePid,
    connectAgent,
    kill: (dir) => kill(dir, 0),
  };

  const pool = createQemuWarmPool(
    {
      ...snapshotHost,
      image: s.image,
      accel: async () => (await chooseAccel()).accel,
      async bootFresh(dir, spec, accel, image) {
        await createDisk(dir, image);
        await boot(dir, spec, accel, image);
      },
    },
    s.warmPool,
    logger,
  );

  async function create(spec: VmSpec): Promise<void> {
    const dir = dirOf(spec.id);
    if (await dir.readSpec()) return;
    if (spec.network === true && s.network === 'tap' && !spec.networkAttachment) {
      throw new AetherError(
        'ERR_NETWORK_UNAVAILABLE',
        `qemu driver: VM ${spec.id} asks for network in tap mode but was given no TAP attachment`,
      );
    }
    // A warm member is already running: `start` then only pings it.
    if (await pool.adopt(spec, dir)) return;
    await mkdir(join(s.stateDir, 'v'), { recursive: true, mode: 0o700 });
    await dir.create(spec);
    await createDisk(dir, await s.image());
  }

  /** The VM's copy-on-write overlay over the image's root; on failure the VM's directory goes. */
  async function createDisk(dir: QemuVmDir, image: GuestImage): Promise<void> {
    try {
      // The overlay reads the image's root through its backing file and writes only its own blocks.
      await execFileAsync(
        s.qemuImgBinary,
        ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', image.rootfs, dir.files.disk],
        { env: QEMU_ENV, timeout: 30_000 },
      );
    } catch (error) {
      await dir.remove();
      const code = (error as NodeJS.ErrnoException).code;
      throw new AetherError(
        code === 'ENOENT' ? 'ERR_ISOLATION_UNAVAILABLE' : 'ERR_DRIVER_FAILED',
        code === 'ENOENT'
          ? `${s.qemuImgBinary} not found: install it with \`apt-get install qemu-utils\``
          : `cannot create the disk of VM ${dir.id}: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`,
        { cause: error },
      );
    }
  }

  async function start(id: string, signal?: AbortSignal): Promise<void> {
    const dir = await existing(id);
    if (await wakeQemuVm(snapshotHost, dir, signal)) return;
    if ((await livePid(dir)) !== null) {
      await agents.use(id, (agent) => agent.ping());
      return;
    }
    const spec = (await dir.readSpec())!;
    const image = await s.image();
    const { accel } = await chooseAccel();
    try {
      await boot(dir, spec, accel, image, signal);
    } catch (error) {
      if (accel !== 'kvm' || s.accel !== 'auto' || signal?.aborted) throw error;
      // KVM that sets up but does not boot our kernel: fall back, and say so.
      kvmFailed = (error as Error).message.slice(0, 300);
      current = { accel: 'tcg', reason: kvmFailed };
      logger.warn(
        { vmId: id, err: error },
        'KVM did not boot the guest: falling back to software emulation (TCG)',
      );
      await boot(dir, spec, 'tcg', image, signal);
    }
  }

  async function status(id: string): Promise<DriverVmInfo> {
    const dir = dirOf(id);
    const info = await bootRecordStatus(
      id,
      {
        exists: async () => (await dir.readSpec()) !== null,
        readBoot: () => dir.readBoot(),
        livePid: () => livePid(dir),
      },
      (pid, boot) => ({ pid, accel: boot?.accel, image: boot?.imageId, timings: boot?.timings }),
    );
    if (info.state === 'stopped' && (await isHibernated(snapshotHost, dir)))
      info.detail = { hibernated: true };
    return info;
  }

  return {
    name: 'qemu',
    tapNetwork: s.network === 'tap',
    get isolation() {
      return describeIsolation(current?.accel ?? null, current?.reason ?? null, s.network);
    },
    create: (spec) => withLock(spec.id, () => create(spec)),
    start: (id, signal) => withLock(id, () => start(id, signal)),
    ...agentVerbs(agents),
    exec: guestOomAware(agentVerbs(agents).exec),
    usage: guestUsage(agents),
    stop: (id, options) =>
      withLock(id, async () => {
        const dir = await existing(id);
        const graceMs = options?.graceMs ?? s.stopGraceMs;
        // What the guest wrote may still be in its saved memory: woken, it syncs in the stop.
        if (graceMs > 0) await wakeQemuVm(snapshotHost, dir);
        await kill(dir, graceMs);
        // A stopped VM boots afresh from its disk: memory a hibernation saved is not kept.
        await hibernationOf(snapshotHost, dir).remove();
      }),
    destroy: (id) =>
      withLock(id, async () => {
        const dir = dirOf(id);
        await kill(dir, 0);
        await dir.remove();
      }),
    status,
    probe: agentProbe(agents, status, vmmGone('QEMU')),
    pause: (id) => withLock(id, () => vcpus(id, 'stop')),
    resume: (id) =>
      withLock(id, async () => {
        if (!(await wakeQemuVm(snapshotHost, await existing(id)))) await vcpus(id, 'cont');
      }),
    hibernate: (id, signal) =>
      withLock(id, async () => hibernateQemuVm(snapshotHost, await existing(id), signal)),
    snapshot: (vmId, snapshotId, signal) =>
      withLock(vmId, async () => saveQemuSnapshot(snapshotHost, await existing(vmId), snapshotId, signal)),
    createFromSnapshot: (spec, snapshotId, signal) =>
      withLock(spec.id, async () => {
        await restoreQemuSnapshot(snapshotHost, dirOf(spec.id), spec, snapshotId, signal);
      }),
    deleteSnapshot: (snapshotId) => deleteQemuSnapshot(s.stateDir, snapshotId),
    list: async () => statusesOf(await listQemuVmIds(s.stateDir), status),
    health: () =>
      healthOf(async () => {
        const image = await s.image();
        await Promise.all([stat(image.kernel), stat(image.initrd), stat(image.rootfs)]);
        const { accel, reason } = await chooseAccel();
        await execFileAsync(s.qemuBinary, ['--version'], { env: QEMU_ENV, timeout: 10_000 });
        return `QEMU microvm, ${accel}${reason ? ` (${reason})` : ''}, image ${image.id}`;
      }),
    async close() {
      await pool.close();
      await agents.closeAll();
    },
    accelerator: chooseAccel,
    warmUp: () => pool.warmUp(),
    async bootTimings(id) {
      return (await dirOf(id).readBoot())?.timings ?? null;
    },
  } satisfies QemuDriver;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
