/**
 * The `process` driver: each VM is a long-lived namespaced sandbox on the host's kernel, with the
 * guest agent as its init's only child. Needs no root, no KVM and no extra package on Linux.
 * Sandboxes outlive this process (own session); a new driver over the same stateDir finds them
 * through `<vm>/sandbox.json`, trusting a pid only while its cmdline still holds the sandbox's
 * random tag (an argv word given to the isolation tool at boot, recorded beside the pid).
 *
 * Warm pool (`warmPoolSize` > 0): idle sandboxes booted ahead under `<stateDir>/pool/<poolId>`.
 * `create` adopts one by renaming its directory to `vms/<id>` (one atomic rename: the VM exists
 * from that instant, with a live sandbox reserved for it, and reports "created"); `start` then
 * only promotes the record and pings. The tag makes the rename invisible to the identity check.
 * Pool sandboxes belong to no VM: each holds a lifeline to this process (shared/lifeline.ts), so
 * it dies with it however it dies, until adoption releases it; `close()` kills them, and a driver
 * over the same stateDir removes the directories of those whose driver instance is gone (and
 * kills any sandbox still running there).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  DriverHealth,
  DriverVmInfo,
  ExecOutput,
  ExecRequest,
  ExecResult,
  VmDriver,
  VmSpec,
} from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import type { IsolationInfo } from '../../core/vm.js';
import { AgentClient } from '../../protocol/client.js';
import { AgentConnections } from '../shared/agent-connections.js';
import { connectAgentSocket } from '../shared/agent-socket.js';
import { cmdline, isAlive, signalGroup, signalPid, waitForExit } from '../shared/host-proc.js';
import type { Lifeline } from '../shared/lifeline.js';
import { perIdLock } from '../shared/per-id-lock.js';
import { newPoolOwner, poolOwnerGone, poolOwnerText, releasePoolOwner } from '../shared/pool-owner.js';
import { bootSandbox } from './boot.js';
import { prepareStateDir } from './host-access.js';
import { detectIsolationTool } from './isolation-probe.js';
import { agentArgv, buildFstab, sandboxCommand } from './sandbox-command.js';
import {
  type IsolationTool,
  type ProcessDriverDeps,
  type ProcessDriverSettings,
  type ResolvedProcessSettings,
  resolveProcessSettings,
} from './settings.js';
import { listPoolIds, listVmIds, type SandboxRecord, sandboxTag, VmDir } from './vm-dir.js';

/** The process driver also moves files, which the agent supports on every backend. */
export interface ProcessDriver extends VmDriver {
  putFile(id: string, path: string, data: Uint8Array, mode?: number): Promise<void>;
  getFile(id: string, path: string): Promise<Uint8Array>;
  /**
   * Starts filling the warm pool and resolves once it is full (at once without a pool, or after
   * `close()`). Boot failures are retried with backoff, so on a host that cannot boot it does not
   * resolve: race it against a timeout.
   */
  warmUp(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 2_000;
const KILL_WAIT_MS = 5_000;
const POOL_BACKOFF_MIN_MS = 100;
const POOL_BACKOFF_MAX_MS = 30_000;
const OWNERLESS_GRACE_MS = 60_000;
const REFILL_DELAY_MS = 20;

/** An idle warm-pool sandbox, and the lifeline that makes it die with this process. */
interface PoolMember {
  dir: VmDir;
  lifeline: Lifeline | null;
}

function describeIsolation(tool: IsolationTool | null, settings: ResolvedProcessSettings): IsolationInfo {
  const via = tool ?? 'unshare or bubblewrap';
  const uid = settings.sandboxIds ? `host uid ${settings.sandboxIds.uid}` : 'the unprivileged host user';
  return {
    level: 'namespaces',
    kernel: 'shared',
    summary:
      `Linux user, PID, mount, IPC, UTS and network namespaces via ${via}; guest root is ${uid}; ` +
      "the host's /usr and /etc are visible read-only, everything else of the host is hidden (pivot_root); " +
      'private /home/user, tmpfs /tmp, no network (loopback only). No cgroup limits: vcpus and memoryMiB ' +
      'are not enforced. The host kernel is shared, so a kernel bug escapes it: for development and ' +
      'trusted code, not hostile multi-tenant workloads.',
  };
}

export function createProcessDriver(
  settings: ProcessDriverSettings,
  deps: ProcessDriverDeps = {},
): ProcessDriver {
  const s = resolveProcessSettings(settings);
  const logger: Logger = (deps.logger ?? silentLogger).child({ driver: 'process' });
  const withLock = perIdLock();
  let tool: IsolationTool | null = null;
  let detecting: Promise<IsolationTool> | null = null;
  let stateReady: Promise<void> | null = null;
  const instance = newPoolOwner();
  /** Booted, pinged, idle pool sandboxes, oldest first. */
  const pool: PoolMember[] = [];
  let poolClosed = false;
  let refilling: Promise<void> | null = null;
  let wakeRefill: (() => void) | null = null;
  let swept: Promise<void> | null = null;

  function ensureStateDir(): Promise<void> {
    stateReady ??= (async () => {
      await prepareStateDir(s);
      await mkdir(join(s.stateDir, 'pool'), { recursive: true, mode: 0o711 });
      await sweepPool();
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

  async function existing(id: string): Promise<VmDir> {
    const dir = new VmDir(s.stateDir, id);
    if (!(await dir.exists()))
      throw new AetherError('ERR_VM_NOT_FOUND', `VM ${id} not found`, { details: { id } });
    return dir;
  }

  /**
   * The recorded sandbox and those of its host pids still alive and provably ours: a pid counts
   * only while its cmdline holds the sandbox's random tag, so a recycled pid is never signalled
   * (records of older versions, without a token, are checked against the VM's directories).
   * (bubblewrap's inner init is a fork of bwrap and matches too: it is tracked in case the outer
   * process dies alone; unshare's PID 1 cannot outlive unshare, thanks to --kill-child.)
   */
  async function liveSandbox(dir: VmDir): Promise<{ record: SandboxRecord; pids: number[] } | null> {
    const record = await dir.readSandbox();
    if (!record) return null;
    const tag = record.token === null ? null : sandboxTag(record.token);
    const names = (arg: string) => (tag === null ? arg === dir.root || arg === dir.home : arg === tag);
    const ours = (pid: number | null): pid is number =>
      pid !== null && isAlive(pid) && (cmdline(pid)?.some(names) ?? false);
    const pids = [record.pid, record.initPid].filter(ours);
    return pids.length > 0 ? { record, pids } : null;
  }

  const connections = new AgentConnections(async (id) => {
    const dir = await existing(id);
    const live = await liveSandbox(dir);
    if (!live || live.record.reserved)
      throw new AetherError('ERR_VM_NOT_RUNNING', `VM ${id} is not running`, { details: { id } });
    return new AgentClient(await connectAgentSocket(dir.socket, CONNECT_TIMEOUT_MS), { logger });
  });
  const client = (id: string) => connections.get(id);
  const dropClient = (id: string) => connections.drop(id);

  /**
   * Spawns a sandbox in `dir` and waits for its agent's "ready"; on failure nothing is left
   * running. With `lifeline` (pool members) it dies with this process until that is released.
   */
  async function launch(
    dir: VmDir,
    options: { signal?: AbortSignal; lifeline?: boolean } = {},
  ): Promise<Lifeline | null> {
    const using = await isolationTool();
    const paths = {
      root: dir.root,
      home: dir.home,
      run: dir.run,
      fstab: dir.fstab,
      node: s.nodePath,
      agent: s.agentPath,
    };
    await dir.clearSocket();
    await dir.writeFstab(buildFstab(paths));
    const toolCommand = using === 'unshare' ? s.unshareCommand : s.bwrapCommand;
    const token = randomBytes(16).toString('hex');
    const record: SandboxRecord = {
      pid: 0,
      initPid: null,
      tool: using,
      bootedAt: new Date().toISOString(),
      token,
      reserved: false,
    };
    const lifeline = options.lifeline === true;
    try {
      const { lifeline: line, ...booted } = await bootSandbox(
        {
          command: sandboxCommand(using, toolCommand, paths, agentArgv({ lifeline }), sandboxTag(token)),
          ids: s.sandboxIds,
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
      throw error;
    }
  }

  /** A failed boot leaves nothing running: wait until the half-booted sandbox is gone. */
  async function cleanupFailedBoot(dir: VmDir): Promise<void> {
    await kill(dir, 0).catch((killError) =>
      logger.error({ vmId: dir.id, err: killError }, 'cleanup after failed boot'),
    );
  }

  async function boot(dir: VmDir, signal?: AbortSignal): Promise<void> {
    await launch(dir, { signal });
    try {
      await (await client(dir.id)).ping();
    } catch (error) {
      await cleanupFailedBoot(dir);
      throw error;
    }
    logger.info({ vmId: dir.id }, 'sandbox started');
  }

  // ---- warm pool ----

  /** Boots one pool sandbox, tied to this process by its lifeline, and checks its agent answers. */
  async function bootPoolMember(): Promise<PoolMember> {
    await isolationTool();
    const dir = new VmDir(s.stateDir, `p${randomBytes(8).toString('hex')}`, 'pool');
    await dir.createTree(s.sandboxIds);
    await dir.writeOwner(poolOwnerText(instance));
    let lifeline: Lifeline | null = null;
    try {
      lifeline = await launch(dir, { lifeline: true });
      const agent = new AgentClient(await connectAgentSocket(dir.socket, CONNECT_TIMEOUT_MS), { logger });
      try {
        await agent.ping();
      } finally {
        await agent.close();
      }
      return { dir, lifeline };
    } catch (error) {
      await discard({ dir, lifeline });
      throw error;
    }
  }

  /** Kills a pool sandbox and removes its directory. */
  async function discard(member: PoolMember): Promise<void> {
    const { dir, lifeline } = member;
    try {
      await kill(dir, 0);
      await dir.remove();
    } catch (error) {
      logger.error({ poolId: dir.id, err: error }, 'cannot discard pool sandbox');
    } finally {
      lifeline?.cut(); // after the kill: cutting it first would race the sandbox's own shutdown
    }
  }

  /** Pool sandboxes of driver instances that are gone (see `poolOwnerGone`). */
  async function removePoolLeftovers(): Promise<void> {
    for (const poolId of await listPoolIds(s.stateDir)) {
      const dir = new VmDir(s.stateDir, poolId, 'pool');
      const owner = await dir.readOwner();
      if (owner === null) {
        // Being made by another driver (the owner file comes before any sandbox), or an empty
        // directory a crash left: only the latter, once old, is removed.
        const made = await stat(dir.dir).catch(() => null);
        if (made && Date.now() - made.mtimeMs < OWNERLESS_GRACE_MS) continue;
      } else if (!poolOwnerGone(owner)) continue;
      logger.info({ poolId }, 'removing pool sandbox left by a previous driver');
      await discard({ dir, lifeline: null });
    }
  }

  /** Once per driver: `removePoolLeftovers`, which never throws. */
  function sweepPool(): Promise<void> {
    swept ??= removePoolLeftovers().catch((error) =>
      logger.error({ err: error }, 'cannot remove pool leftovers'),
    );
    return swept;
  }

  /** Keeps the pool full in the background, one boot at a time; never throws. */
  function refill(): void {
    if (s.warmPoolSize === 0 || poolClosed || refilling) return;
    refilling = (async () => {
      let backoff = 0;
      while (!poolClosed && pool.length < s.warmPoolSize) {
        if (backoff > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, backoff);
            timer.unref(); // a failing host must not keep a process alive that is done otherwise
            wakeRefill = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wakeRefill = null;
          if (poolClosed) break;
        }
        // Let the caller that took a sandbox finish first: spawning blocks this thread for a few ms.
        await new Promise<void>((resolve) => setTimeout(resolve, REFILL_DELAY_MS));
        if (poolClosed) break;
        try {
          const member = await bootPoolMember();
          if (poolClosed) {
            await discard(member);
            break;
          }
          pool.push(member);
          backoff = 0;
        } catch (error) {
          backoff = Math.min(Math.max(backoff * 2, POOL_BACKOFF_MIN_MS), POOL_BACKOFF_MAX_MS);
          logger.warn({ err: error, retryInMs: backoff }, 'warm pool: boot failed');
        }
      }
    })().finally(() => {
      refilling = null;
      // An adoption between the loop's last check and here must not leave the pool short.
      if (!poolClosed && pool.length < s.warmPoolSize) refill();
    });
  }

  /**
   * Hands a live pool sandbox to a new VM: vm.json and a reserved record go into the pool
   * directory, then one rename makes it `vms/<id>`, then its lifeline is released so it outlives
   * this process like any VM's sandbox (a crash between the two leaves a "created" VM whose
   * sandbox died with us: `start` boots it). False when none is ready (or the rename lost a race):
   * the caller creates the VM as usual.
   */
  async function adopt(spec: VmSpec): Promise<boolean> {
    const target = new VmDir(s.stateDir, spec.id);
    for (let member = pool.shift(); member; member = pool.shift()) {
      refill();
      const { dir, lifeline } = member;
      const live = await liveSandbox(dir);
      if (!live) {
        await discard(member);
        continue;
      }
      try {
        await dir.writeSandbox({ ...live.record, reserved: true });
        await dir.writeSpec(spec);
        await dir.moveTo(target);
      } catch (error) {
        logger.warn({ vmId: spec.id, poolId: dir.id, err: error }, 'warm pool: adoption failed');
        await discard(member);
        return false;
      }
      await target.removeOwner().catch(() => {});
      try {
        await lifeline?.release();
      } catch (error) {
        // Its agent is gone: the VM exists, "created", and `start` boots it afresh.
        logger.warn({ vmId: spec.id, poolId: dir.id, err: error }, 'warm pool: adopted sandbox is gone');
        await kill(target, 0).catch((killError: unknown) =>
          logger.error({ vmId: spec.id, err: killError }, 'cannot kill an adopted sandbox'),
        );
        return true;
      }
      logger.info({ vmId: spec.id, poolId: dir.id, pid: live.record.pid }, 'adopted pool sandbox');
      return true;
    }
    return false;
  }

  async function closePool(): Promise<void> {
    poolClosed = true;
    releasePoolOwner(instance);
    wakeRefill?.();
    await refilling;
    await Promise.all(pool.splice(0).map((member) => discard(member)));
  }

  /** SIGTERM the sandbox's group (the agent and PID 1 shut down), SIGKILL after `graceMs`. */
  async function kill(dir: VmDir, graceMs: number): Promise<void> {
    dropClient(dir.id);
    const live = await liveSandbox(dir);
    if (!live) return;
    const { record, pids } = live;
    // The tool was spawned detached: its pid is also its process group, shared by PID 1 and the
    // agent (commands have groups of their own but die with the namespace).
    if (graceMs > 0) {
      signalGroup(record.pid, 'SIGTERM');
      if (await waitForExit(pids, graceMs)) return;
    }
    // Killing the tool kills PID 1 (--kill-child, bwrap), and with PID 1 the kernel kills the namespace.
    signalGroup(record.pid, 'SIGKILL');
    for (const pid of pids) signalPid(pid, 'SIGKILL');
    if (!(await waitForExit(pids, KILL_WAIT_MS))) {
      throw new AetherError(
        'ERR_DRIVER_FAILED',
        `sandbox of VM ${dir.id} (pids ${pids.join(', ')}) survived SIGKILL`,
      );
    }
  }

  async function status(id: string): Promise<DriverVmInfo> {
    const dir = new VmDir(s.stateDir, id);
    if (!(await dir.exists())) return { id, state: 'missing' };
    const live = await liveSandbox(dir);
    if (live && !live.record.reserved) {
      const { pid, tool: using, bootedAt } = live.record;
      return { id, state: 'running', detail: { pid, tool: using, bootedAt } };
    }
    // A sandbox reserved from the pool (live or not) was never started: the VM is "created".
    const record = live?.record ?? (await dir.readSandbox());
    return { id, state: record && !record.reserved ? 'stopped' : 'created' };
  }

  return {
    name: 'process',
    get isolation() {
      return describeIsolation(tool, s);
    },

    create: (spec) =>
      withLock(spec.id, async () => {
        const dir = new VmDir(s.stateDir, spec.id);
        await isolationTool(); // fail at create, not first start, on a host that cannot isolate
        refill();
        if (await dir.exists()) return;
        if ((await adopt(spec)) || (await dir.exists())) return;
        await dir.create(spec, s.sandboxIds);
      }),

    start: (id, signal) =>
      withLock(id, async () => {
        const dir = await existing(id);
        const live = await liveSandbox(dir);
        if (live && !live.record.reserved) {
          await (await client(id)).ping();
          return;
        }
        if (live) {
          // Adopted from the pool at create: it becomes this VM's running sandbox.
          await dir.writeSandbox({ ...live.record, reserved: false, bootedAt: new Date().toISOString() });
          try {
            await (await client(id)).ping();
            return;
          } catch (error) {
            logger.warn({ vmId: id, err: error }, 'adopted sandbox does not answer; booting');
            await kill(dir, 0);
          }
        }
        await boot(dir, signal);
      }),

    async exec(
      id: string,
      request: ExecRequest,
      output?: ExecOutput,
      signal?: AbortSignal,
    ): Promise<ExecResult> {
      return (await client(id)).exec(request, output, signal);
    },

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

    async list() {
      refill();
      await sweepPool();
      const infos = await Promise.all((await listVmIds(s.stateDir)).map((id) => status(id)));
      return infos.filter((info) => info.state !== 'missing');
    },

    async health(): Promise<DriverHealth> {
      try {
        await Promise.all([stat(s.agentPath), stat(s.nodePath)]);
        const using = await isolationTool();
        return { ok: true, message: `namespaces via ${using}` };
      } catch (error) {
        return { ok: false, message: (error as Error).message };
      }
    },

    async close() {
      await closePool();
      await connections.closeAll();
    },

    async putFile(id, path, data, mode) {
      await (await client(id)).putFile(path, data, mode);
    },

    async getFile(id, path) {
      return (await client(id)).getFile(path);
    },

    async warmUp() {
      if (s.warmPoolSize === 0) return;
      await isolationTool();
      while (!poolClosed && pool.length < s.warmPoolSize) {
        refill();
        await refilling;
      }
    },
  } satisfies ProcessDriver;
}
