/**
 * The `process` driver: each VM is a long-lived namespaced sandbox on the host's kernel, with the
 * guest agent as its init's only child. Needs no root, no KVM and no extra package on Linux.
 * Sandboxes outlive this process (own session); a new driver over the same stateDir finds them
 * through `<vm>/sandbox.json`, trusting a pid only while its cmdline still names the VM.
 */
import { stat } from 'node:fs/promises';
import type {
  DriverHealth,
  DriverVmInfo,
  ExecOutput,
  ExecRequest,
  ExecResult,
  VmDriver,
} from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import type { IsolationInfo } from '../../core/vm.js';
import { AgentClient } from '../../protocol/client.js';
import { connectAgentSocket } from './agent-socket.js';
import { bootSandbox } from './boot.js';
import { prepareStateDir } from './host-access.js';
import { cmdline, isAlive, signalGroup, signalPid, waitForExit } from './host-proc.js';
import { detectIsolationTool } from './isolation-probe.js';
import { agentArgv, buildFstab, sandboxCommand } from './sandbox-command.js';
import {
  type IsolationTool,
  type ProcessDriverDeps,
  type ProcessDriverSettings,
  type ResolvedProcessSettings,
  resolveProcessSettings,
} from './settings.js';
import { listVmIds, type SandboxRecord, VmDir } from './vm-dir.js';

/** The process driver also moves files, which the agent supports on every backend. */
export interface ProcessDriver extends VmDriver {
  putFile(id: string, path: string, data: Uint8Array, mode?: number): Promise<void>;
  getFile(id: string, path: string): Promise<Uint8Array>;
}

const CONNECT_TIMEOUT_MS = 2_000;
const KILL_WAIT_MS = 5_000;

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
  const clients = new Map<string, Promise<AgentClient>>();
  const locks = new Map<string, Promise<unknown>>();
  let tool: IsolationTool | null = null;
  let detecting: Promise<IsolationTool> | null = null;
  let stateReady: Promise<void> | null = null;

  /** One lifecycle operation per VM at a time (two concurrent starts must not boot twice). */
  function withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(id) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => {});
    locks.set(id, settled);
    void settled.then(() => {
      if (locks.get(id) === settled) locks.delete(id);
    });
    return next;
  }

  function ensureStateDir(): Promise<void> {
    stateReady ??= prepareStateDir(s).catch((error) => {
      stateReady = null;
      throw error;
    });
    return stateReady;
  }

  async function isolationTool(): Promise<IsolationTool> {
    if (tool) return tool;
    await ensureStateDir();
    detecting ??= detectIsolationTool(s).finally(() => {
      detecting = null;
    });
    tool = await detecting;
    logger.info({ tool }, 'process driver isolation ready');
    return tool;
  }

  async function existing(id: string): Promise<VmDir> {
    const dir = new VmDir(s.stateDir, id);
    if (!(await dir.exists()))
      throw new AetherError('ERR_VM_NOT_FOUND', `VM ${id} not found`, { details: { id } });
    return dir;
  }

  /**
   * The recorded sandbox and those of its host pids still alive and provably ours: a pid counts
   * only while its cmdline names this VM's directories, so a recycled pid is never signalled.
   * (bubblewrap's inner init is a fork of bwrap and matches too: it is tracked in case the outer
   * process dies alone; unshare's PID 1 cannot outlive unshare, thanks to --kill-child.)
   */
  async function liveSandbox(dir: VmDir): Promise<{ record: SandboxRecord; pids: number[] } | null> {
    const record = await dir.readSandbox();
    if (!record) return null;
    const ours = (pid: number | null): pid is number =>
      pid !== null &&
      isAlive(pid) &&
      (cmdline(pid)?.some((arg) => arg === dir.root || arg === dir.home) ?? false);
    const pids = [record.pid, record.initPid].filter(ours);
    return pids.length > 0 ? { record, pids } : null;
  }

  function dropClient(id: string): void {
    const client = clients.get(id);
    clients.delete(id);
    void client?.then((c) => c.close()).catch(() => {});
  }

  function client(id: string): Promise<AgentClient> {
    const cached = clients.get(id);
    if (cached) return cached;
    const connecting = (async () => {
      const dir = await existing(id);
      if (!(await liveSandbox(dir)))
        throw new AetherError('ERR_VM_NOT_RUNNING', `VM ${id} is not running`, { details: { id } });
      const agent = new AgentClient(await connectAgentSocket(dir.socket, CONNECT_TIMEOUT_MS), { logger });
      agent.onClose(() => {
        if (clients.get(id) === connecting) clients.delete(id);
      });
      return agent;
    })();
    clients.set(id, connecting);
    connecting.catch(() => {
      if (clients.get(id) === connecting) clients.delete(id);
    });
    return connecting;
  }

  async function boot(dir: VmDir, signal?: AbortSignal): Promise<void> {
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
    const record: SandboxRecord = { pid: 0, initPid: null, tool: using, bootedAt: new Date().toISOString() };
    try {
      const booted = await bootSandbox(
        {
          command: sandboxCommand(using, toolCommand, paths, agentArgv()),
          ids: s.sandboxIds,
          timeoutMs: s.bootTimeoutMs,
          signal,
        },
        (pid) => dir.writeSandbox({ ...record, pid }),
      );
      await dir.writeSandbox({ ...record, ...booted });
      await (await client(dir.id)).ping();
      logger.info({ vmId: dir.id, pid: booted.pid }, 'sandbox started');
    } catch (error) {
      // A failed boot leaves nothing running: wait until the half-booted sandbox is gone.
      await kill(dir, 0).catch((killError) =>
        logger.error({ vmId: dir.id, err: killError }, 'cleanup after failed boot'),
      );
      throw error;
    }
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
    if (live) {
      const { pid, tool: using, bootedAt } = live.record;
      return { id, state: 'running', detail: { pid, tool: using, bootedAt } };
    }
    return { id, state: (await dir.readSandbox()) ? 'stopped' : 'created' };
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
        if (!(await dir.exists())) await dir.create(spec, s.sandboxIds);
      }),

    start: (id, signal) =>
      withLock(id, async () => {
        const dir = await existing(id);
        if (await liveSandbox(dir)) {
          await (await client(id)).ping();
          return;
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
      const all = [...clients.values()];
      clients.clear();
      await Promise.all(all.map((c) => c.then((agent) => agent.close()).catch(() => {})));
    },

    async putFile(id, path, data, mode) {
      await (await client(id)).putFile(path, data, mode);
    },

    async getFile(id, path) {
      return (await client(id)).getFile(path);
    },
  } satisfies ProcessDriver;
}
