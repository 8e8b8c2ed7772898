/**
 * The `process` driver: each VM is a long-lived namespaced sandbox on the host's kernel, with the
 * guest agent as its init's only child. Needs no root, no KVM and no extra package on Linux.
 * Sandboxes outlive this process (own session); a new driver over the same stateDir finds them
 * through `<vm>/sandbox.json`, trusting a pid only while its cmdline still holds the sandbox's
 * random tag (an argv word given to the isolation tool at boot, recorded beside the pid; see
 * sandbox-pids.ts). Idle sandboxes booted ahead: process-pool.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DriverVmInfo, ExecResult, VmDriver } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import type { IsolationInfo } from '../../core/vm.js';
import { AgentClient } from '../../protocol/client.js';
import { AgentConnections } from '../shared/agent-connections.js';
import { agentProbe } from '../shared/agent-probe.js';
import { connectAgentSocket } from '../shared/agent-socket.js';
import { agentVerbs } from '../shared/agent-verbs.js';
import { vmNotFound, vmNotRunning } from '../shared/driver-errors.js';
import { healthOf, statusesOf } from '../shared/driver-status.js';
import type { Lifeline } from '../shared/lifeline.js';
import { perIdLock } from '../shared/per-id-lock.js';
import { bootSandbox } from './boot.js';
import { prepareStateDir } from './host-access.js';
import { detectIsolationTool } from './isolation-probe.js';
import type { CgroupRecord } from './limits/sandbox-cgroup.js';
import { createSandboxLimits, type SandboxLimits } from './limits/sandbox-limits.js';
import { createProcessWarmPool } from './process-pool.js';
import { agentArgv, buildFstab, sandboxCommand } from './sandbox-command.js';
import { processSandboxGone } from './sandbox-gone.js';
import { killSandbox, liveSandbox } from './sandbox-pids.js';
import { sandboxUsage } from './sandbox-usage.js';
import {
  type IsolationTool,
  type ProcessDriverDeps,
  type ProcessDriverSettings,
  type ResolvedProcessSettings,
  resolveProcessSettings,
} from './settings.js';
import { listVmIds, type SandboxRecord, sandboxTag, VmDir } from './vm-dir.js';

export interface ProcessDriver extends VmDriver {
  /**
   * Starts filling the warm pool and resolves once it is full (at once without a pool, or after
   * `close()`). Boot failures are retried with backoff, so on a host that cannot boot it does not
   * resolve: race it against a timeout.
   */
  warmUp(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 2_000;

function describeIsolation(
  tool: IsolationTool | null,
  settings: ResolvedProcessSettings,
  limits: SandboxLimits,
): IsolationInfo {
  const via = tool ?? 'unshare or bubblewrap';
  const uid = settings.sandboxIds ? `host uid ${settings.sandboxIds.uid}` : 'the unprivileged host user';
  const info = limits.info;
  const held = info.enforced
    ? `Held to its vcpus and memory (no swap), ${info.pids} tasks, a ${info.tmpMiB} MiB /tmp and a ${info.diskMiB} MiB home (${info.mechanism.split(':')[0]}). `
    : 'No resource limits: vcpus and memory are not enforced (process.limits: off). ';
  return {
    level: 'namespaces',
    kernel: 'shared',
    summary:
      `Linux user, PID, mount, IPC, UTS and network namespaces via ${via}; guest root is ${uid}; ` +
      "the host's /usr and /etc are visible read-only, everything else of the host is hidden (pivot_root); " +
      `private /home/user, tmpfs /tmp, no network (loopback only). ${held}` +
      'The host kernel is shared, so a kernel bug escapes it: for development and ' +
      'trusted code, not hostile multi-tenant workloads.',
    limits: info,
  };
}

export function createProcessDriver(
  settings: ProcessDriverSettings,
  deps: ProcessDriverDeps = {},
): ProcessDriver {
  const s = resolveProcessSettings(settings);
  const logger: Logger = (deps.logger ?? silentLogger).child({ driver: 'process' });
  const withLock = perIdLock();
  const limits = createSandboxLimits(s.limits, s.stateDir, deps.detectCgroups);
  let tool: IsolationTool | null = null;
  let detecting: Promise<IsolationTool> | null = null;
  let stateReady: Promise<void> | null = null;

  const pool = createProcessWarmPool({
    stateDir: s.stateDir,
    size: s.warmPoolSize,
    sandboxIds: s.sandboxIds,
    logger,
    ready: readyToBoot,
    prepareTree: async (dir) => {
      await dir.createTree(s.sandboxIds);
      await limits.prepareHome(dir, s.sandboxIds);
    },
    launchWithLifeline: (dir) => launch(dir, { lifeline: true }),
    kill: (dir) => kill(dir, 0),
  });

  function ensureStateDir(): Promise<void> {
    stateReady ??= (async () => {
      await prepareStateDir(s);
      await mkdir(join(s.stateDir, 'pool'), { recursive: true, mode: 0o711 });
      await pool.sweep();
    })().catch((error) => {
      stateReady = null;
      throw error;
    });
    return stateReady;
  }

  async function isolationTool(): Promise<IsolationTool> {
    if (tool) return tool;
    await ensureStateDir();
    if (tool) return tool;
    detecting ??= detectIsolationTool(s)
      .then((found) => {
        tool = found;
        // Once per detection, not once per caller that waited for it.
        logger.info({ tool: found }, 'process driver isolation ready');
        return found;
      })
      .finally(() => {
        detecting = null;
      });
    return detecting;
  }

  /** The isolation tool, once the host is known to hold sandboxes to their limits (or they are off). */
  async function readyToBoot(): Promise<IsolationTool> {
    const found = await isolationTool();
    limits.ensure();
    return found;
  }

  async function existing(id: string): Promise<VmDir> {
    const dir = new VmDir(s.stateDir, id);
    if (!(await dir.exists())) throw vmNotFound(id);
    return dir;
  }

  const agents = new AgentConnections(async (id) => {
    const dir = await existing(id);
    const live = await liveSandbox(dir);
    if (!live || live.record.reserved) throw vmNotRunning(id);
    return new AgentClient(await connectAgentSocket(dir.socket, CONNECT_TIMEOUT_MS), { logger });
  });

  /**
   * The running sandbox's record as each command needs it (its cgroup, for the OOM check), kept
   * per VM from its first command until the sandbox is killed or booted again: a command then
   * costs no read of sandbox.json. Only a started sandbox's record is kept.
   */
  const commandSandboxes = new Map<string, SandboxRecord>();

  /** Ends the sandbox in `dir` (see killSandbox), after closing our connection to its agent. */
  async function kill(dir: VmDir, graceMs: number): Promise<void> {
    agents.drop(dir.id);
    commandSandboxes.delete(dir.id);
    const record = await dir.readSandbox();
    // A frozen (paused) sandbox takes no signal, SIGKILL included on cgroup v1, until thawed.
    if (record?.cgroup) await limits.freeze(record.cgroup, false).catch(() => {});
    await killSandbox(dir, graceMs);
    await limits.release(record?.cgroup ?? null);
  }

  /**
   * Spawns a sandbox in `dir` and waits for its agent's "ready"; on failure nothing is left
   * running. With `lifeline` (pool members) it dies with this process until that is released.
   */
  async function launch(
    dir: VmDir,
    options: { signal?: AbortSignal; lifeline?: boolean } = {},
  ): Promise<Lifeline | null> {
    const using = await readyToBoot();
    const paths = {
      root: dir.root,
      home: dir.home,
      run: dir.run,
      fstab: dir.fstab,
      node: s.nodePath,
      agent: s.agentPath,
    };
    const fsLimits = { tmpSizeMiB: limits.tmpSizeMiB };
    await dir.clearSocket();
    await limits.mountHome(dir);
    await dir.writeFstab(buildFstab(paths, fsLimits));
    const toolCommand = using === 'unshare' ? s.unshareCommand : s.bwrapCommand;
    const token = randomBytes(16).toString('hex');
    // A VM's sandbox is held to its size before it runs; a pool sandbox gets it at adoption.
    const size = options.lifeline ? null : await dir.readSize();
    const cgroup = await limits.cgroupFor(token);
    const record: SandboxRecord = {
      pid: 0,
      initPid: null,
      tool: using,
      bootedAt: new Date().toISOString(),
      token,
      reserved: false,
      cgroup: cgroup?.record ?? null,
    };
    const lifeline = options.lifeline === true;
    try {
      if (size) await limits.apply(record.cgroup, size);
      // Recorded before the spawn: if this host dies before it learns the pid, the token still
      // finds the sandbox (sandbox-pids.ts) and a sweep ends it.
      await dir.writeSandbox(record);
      const spawn = limits.spawnInto(
        sandboxCommand(using, toolCommand, paths, agentArgv({ lifeline }), sandboxTag(token), fsLimits),
        cgroup,
        s.sandboxIds,
      );
      const { lifeline: line, ...booted } = await bootSandbox(
        {
          command: spawn.command,
          ids: spawn.ids,
          timeoutMs: s.bootTimeoutMs,
          signal: options.signal,
          lifeline,
        },
        (pid) => dir.writeSandbox({ ...record, pid }),
      );
      await dir.writeSandbox({ ...record, ...booted }).catch((error: unknown) => {
        line?.cut();
        throw error;
      });
      return line;
    } catch (error) {
      await cleanupFailedBoot(dir);
      await limits.release(record.cgroup);
      throw error;
    }
  }

  /** A failed boot leaves nothing running: wait until the half-booted sandbox is gone. */
  async function cleanupFailedBoot(dir: VmDir): Promise<void> {
    await kill(dir, 0).catch((killError) =>
      logger.error({ vmId: dir.id, err: killError }, 'cleanup after failed boot'),
    );
  }

  /** Pause and resume: the cgroup freezer, on a sandbox that runs. */
  async function freeze(id: string, frozen: boolean): Promise<void> {
    const live = await liveSandbox(await existing(id));
    if (!live || live.record.reserved) throw vmNotRunning(id);
    await limits.freeze(live.record.cgroup, frozen);
  }

  /**
   * A pool sandbox booted before its VM's size was known: its cgroups get that size now. One that
   * cannot be held to it (already above it) is ended: the VM stays "created" and `start` boots it.
   */
  async function holdAdoptedToSize(dir: VmDir, size: { vcpus: number; memoryMiB: number }): Promise<void> {
    const record = await dir.readSandbox();
    try {
      await limits.apply(record?.cgroup ?? null, size);
    } catch (error) {
      logger.warn(
        { vmId: dir.id, err: error },
        'adopted sandbox cannot be held to its size; it boots afresh',
      );
      await kill(dir, 0);
    }
  }

  async function boot(dir: VmDir, signal?: AbortSignal): Promise<void> {
    commandSandboxes.delete(dir.id);
    await launch(dir, { signal });
    try {
      await agents.use(dir.id, (agent) => agent.ping());
    } catch (error) {
      await cleanupFailedBoot(dir);
      throw error;
    }
    logger.info({ vmId: dir.id }, 'sandbox started');
  }

  async function status(id: string): Promise<DriverVmInfo> {
    const dir = new VmDir(s.stateDir, id);
    if (!(await dir.exists())) return { id, state: 'missing' };
    const live = await liveSandbox(dir);
    if (live && !live.record.reserved) {
      const { pid, tool: using, bootedAt } = live.record;
      return { id, state: 'running', detail: { pid, tool: using, bootedAt, limits: limits.enforced } };
    }
    // A sandbox reserved from the pool (live or not) was never started: the VM is "created".
    const record = live?.record ?? (await dir.readSandbox());
    if (!record || record.reserved) return { id, state: 'created' };
    return { id, state: 'stopped', detail: { oomKilled: await diedOfMemory(dir, record) } };
  }

  /**
   * A sandbox whose cgroup counts more out-of-memory kills than its commands ended with
   * (ERR_VM_OUT_OF_MEMORY, recorded in its VM dir, so also across restarts of this process)
   * died of memory itself: its agent or its init was the one killed.
   */
  async function diedOfMemory(
    dir: VmDir,
    record: { token: string | null; cgroup: CgroupRecord | null },
  ): Promise<boolean> {
    const kills = await limits.oomKills(record.cgroup).catch(() => null);
    if (kills === null) return false;
    return kills > (record.token ? await dir.readCommandOomKills(record.token) : 0);
  }

  const viaAgent = agentVerbs(agents);

  async function sandboxOfCommand(id: string): Promise<SandboxRecord | null> {
    const known = commandSandboxes.get(id);
    if (known) return known;
    const record = await new VmDir(s.stateDir, id).readSandbox();
    if (record && !record.reserved) commandSandboxes.set(id, record);
    return record;
  }

  /**
   * A command the kernel killed for the VM's memory (SIGKILL, or a shell's 137, while the VM's
   * OOM-kill count rose) ends with ERR_VM_OUT_OF_MEMORY: the VM itself lives on, as on docker.
   */
  const exec: VmDriver['exec'] = async (id, request, output, signal) => {
    const record = limits.enforced ? await sandboxOfCommand(id) : null;
    const cgroup = record?.cgroup ?? null;
    const before = await limits.oomKills(cgroup);
    const result: ExecResult = await viaAgent.exec(id, request, output, signal);
    const killed = result.signal === 'SIGKILL' || result.exitCode === 128 + 9;
    if (before === null || !killed || result.timedOut) return result;
    const after = (await limits.oomKills(cgroup)) ?? before;
    if (after <= before) return result;
    const dir = new VmDir(s.stateDir, id);
    if (record?.token) await dir.writeCommandOomKills(record.token, after);
    const size = await dir.readSize();
    throw new AetherError(
      'ERR_VM_OUT_OF_MEMORY',
      `the command was killed: VM ${id} reached its memory limit${size ? ` of ${size.memoryMiB} MiB` : ''} (the VM keeps running)`,
      { details: { id, reason: 'oom_killed' } },
    );
  };

  return {
    name: 'process',
    get isolation() {
      return describeIsolation(tool, s, limits);
    },
    ...viaAgent,
    exec,

    create: (spec) =>
      withLock(spec.id, async () => {
        const dir = new VmDir(s.stateDir, spec.id);
        // Fail at create, not first start, on a host that cannot isolate or hold VMs to limits.
        await readyToBoot();
        pool.fill();
        if (await dir.exists()) return;
        if (await pool.adopt(spec)) {
          await holdAdoptedToSize(dir, spec);
          return;
        }
        if (await dir.exists()) return;
        await dir.createTree(s.sandboxIds);
        await limits.prepareHome(dir, s.sandboxIds);
        await dir.writeSpec(spec);
      }),

    start: (id, signal) =>
      withLock(id, async () => {
        const dir = await existing(id);
        const live = await liveSandbox(dir);
        if (live && !live.record.reserved) {
          await agents.use(id, (agent) => agent.ping());
          return;
        }
        if (live) {
          commandSandboxes.delete(id);
          // Adopted from the pool at create: it becomes this VM's running sandbox.
          await dir.writeSandbox({ ...live.record, reserved: false, bootedAt: new Date().toISOString() });
          try {
            await agents.use(id, (agent) => agent.ping());
            return;
          } catch (error) {
            logger.warn({ vmId: id, err: error }, 'adopted sandbox does not answer; booting');
            await kill(dir, 0);
          }
        }
        await boot(dir, signal);
      }),

    pause: (id) => withLock(id, () => freeze(id, true)),
    resume: (id) => withLock(id, () => freeze(id, false)),

    stop: (id, options) =>
      withLock(id, async () => {
        await kill(await existing(id), options?.graceMs ?? s.stopGraceMs);
      }),

    destroy: (id) =>
      withLock(id, async () => {
        const dir = new VmDir(s.stateDir, id);
        await kill(dir, 0);
        await dir.remove();
      }),

    status,
    usage: (id) => sandboxUsage(s.stateDir, id),
    probe: agentProbe(agents, status, processSandboxGone),

    async list() {
      pool.fill();
      await pool.sweep();
      return statusesOf(await listVmIds(s.stateDir), status);
    },

    health: () =>
      healthOf(async () => {
        await Promise.all([stat(s.agentPath), stat(s.nodePath)]);
        return `namespaces via ${await isolationTool()}`;
      }),

    async close() {
      await pool.close();
      await agents.closeAll();
      await limits.close();
    },

    warmUp: () => pool.warmUp(),
  } satisfies ProcessDriver;
}
