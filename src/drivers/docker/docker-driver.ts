/**
 * The `docker` driver: each VM is one long-lived container made through the Engine API, running
 * the same guest agent as every other driver (on the host's Node, see host-node.ts), reached over
 * a Unix socket in a host directory bound into the container. Commands therefore start through
 * the agent in a few ms instead of a `docker exec` round trip, and env, cwd, stdin, streaming,
 * timeouts that kill the process tree and exit codes behave exactly as on the other drivers.
 *
 * State: the container (found by name `aether-<id>` and by labels) and `<stateDir>/vms/<id>/`
 * with `home/` (the guest's /home/user) and `run/` (the agent's socket). A driver over the same
 * stateDir finds its containers again by the scope label, so VMs survive a worker restart.
 */
import { chown, lstat, mkdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type {
  DriverVmInfo,
  DriverVmState,
  ExecOutput,
  ExecRequest,
  ExecResult,
  VmDriver,
  VmSpec,
} from '../../core/driver.js';
import { AetherError, isAetherError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import type { IsolationInfo } from '../../core/vm.js';
import { AgentClient } from '../../protocol/client.js';
import { AgentConnections } from '../shared/agent-connections.js';
import { agentProbe } from '../shared/agent-probe.js';
import { connectAgentSocket } from '../shared/agent-socket.js';
import { agentVerbs } from '../shared/agent-verbs.js';
import { vmNotFound, vmNotRunning } from '../shared/driver-errors.js';
import { healthOf } from '../shared/driver-status.js';
import { perIdLock } from '../shared/per-id-lock.js';
import { assertVmId } from '../shared/vm-id.js';
import { containerGone } from './container-gone.js';
import { containerName, containerSpec, LABELS, TMP_SIZE_MIB, type VmHostPaths } from './container-spec.js';
import { containerUsage } from './container-usage.js';
import {
  checkEngine,
  connectEngine,
  type EngineInfo,
  engineError,
  engineStatus,
  imageMissingMessage,
} from './engine.js';
import { type HostNodeRuntime, resolveHostNode } from './host-node.js';
import { OomWatch } from './oom-watch.js';
import {
  type DockerDriverDeps,
  type DockerDriverSettings,
  type ResolvedDockerSettings,
  resolveDockerSettings,
} from './settings.js';

const CONNECT_TIMEOUT_MS = 2_000;
const BOOT_POLL_MS = 10;
const LOG_TAIL_LINES = 40;
/** After the agent's connection drops mid-command, how long the container may take to stop. */
const AGENT_LOSS_SETTLE_MS = 2_000;

export interface DockerDriver extends VmDriver {
  /** The engine this driver talks to; checks its version once. */
  engine(): Promise<EngineInfo>;
}

interface Ready {
  engine: EngineInfo;
  runtime: HostNodeRuntime;
}

function describeIsolation(s: ResolvedDockerSettings): IsolationInfo {
  return {
    level: 'container',
    kernel: 'shared',
    summary:
      `Docker container per VM: PID, mount, IPC, UTS and network namespaces; runs as uid ${s.user.uid} ` +
      'with every capability dropped and no-new-privileges, the default seccomp profile, ' +
      `${s.readOnlyRoot ? 'a read-only root file system (writable home, /tmp, /run), ' : ''}` +
      `cgroup limits on CPU, memory (no swap) and ${s.pidsLimit} processes; no network unless asked. ` +
      'The host kernel is shared, so a kernel bug escapes it: stronger than the process driver, ' +
      'weaker than a microVM.',
    limits: {
      enforced: true,
      mechanism: `docker (cgroups): memory without swap, CPU quota from vcpus, ${s.pidsLimit} tasks; tmpfs /tmp of ${TMP_SIZE_MIB} MiB; the home shares the engine's storage`,
      pids: s.pidsLimit,
      tmpMiB: TMP_SIZE_MIB,
      diskMiB: null,
    },
  };
}

function stateOf(status: string | undefined): DriverVmState {
  switch (status) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    case 'exited':
    case 'dead':
      return 'stopped';
    default:
      return 'missing';
  }
}

export function createDockerDriver(
  settings: DockerDriverSettings,
  deps: DockerDriverDeps = {},
): DockerDriver {
  const s = resolveDockerSettings(settings);
  const logger: Logger = (deps.logger ?? silentLogger).child({ driver: 'docker' });
  const docker: Dockerode = connectEngine(s.dockerHost);
  const oom = new OomWatch(docker, s.scope, logger);
  const withLock = perIdLock();
  let ready: Promise<Ready> | null = null;

  const fail = (error: unknown, doing: string) => engineError(error, doing, s.dockerHost);

  function prepare(): Promise<Ready> {
    ready ??= (async () => {
      const engine = await checkEngine(docker, s.dockerHost);
      const runtime = await resolveHostNode(s.nodePath);
      await stat(s.agentPath).catch((error) => {
        throw new AetherError('ERR_CONFIG', `docker driver: agent bundle ${s.agentPath} missing`, {
          cause: error,
        });
      });
      await mkdir(join(s.stateDir, 'vms'), { recursive: true, mode: 0o711 });
      void oom.start();
      logger.info({ engine: engine.version, api: engine.apiVersion }, 'docker engine ready');
      return { engine, runtime };
    })().catch((error) => {
      ready = null;
      throw error;
    });
    return ready;
  }

  const vmDir = (id: string) => join(s.stateDir, 'vms', id);
  const hostPaths = (id: string): VmHostPaths => ({
    home: join(vmDir(id), 'home'),
    run: join(vmDir(id), 'run'),
  });
  const socketPath = (id: string) => join(hostPaths(id).run, 'agent.sock');
  const container = (id: string) => docker.getContainer(containerName(id));

  /** The container's inspect data, or null when there is none. */
  async function inspect(id: string): Promise<Dockerode.ContainerInspectInfo | null> {
    assertVmId(id);
    try {
      const info = await container(id).inspect();
      // A container of that name from another state dir is not ours to touch.
      return info.Config.Labels?.[LABELS.scope] === s.scope ? info : null;
    } catch (error) {
      if (engineStatus(error) === 404) return null;
      throw fail(error, `inspect VM ${id}`);
    }
  }

  async function existing(id: string): Promise<Dockerode.ContainerInspectInfo> {
    const info = await inspect(id);
    if (!info) throw vmNotFound(id);
    return info;
  }

  const agents = new AgentConnections(async (id) => {
    if (!(await existing(id)).State.Running) throw vmNotRunning(id);
    return new AgentClient(await connectAgentSocket(socketPath(id), CONNECT_TIMEOUT_MS), { logger });
  });
  const viaAgent = agentVerbs(agents);

  /** The last lines the agent (or the engine starting it) printed: the why of a failed boot. */
  async function logTail(id: string): Promise<string> {
    try {
      const raw = (await container(id).logs({
        stdout: true,
        stderr: true,
        tail: LOG_TAIL_LINES,
        follow: false,
      })) as unknown as Buffer;
      return demuxText(raw).trim().slice(-2000);
    } catch {
      return '';
    }
  }

  /** Why a container that should run does not, as a coded error. */
  async function deathError(id: string, info: Dockerode.ContainerInspectInfo | null): Promise<AetherError> {
    if (info?.State.OOMKilled) {
      return new AetherError(
        'ERR_VM_OUT_OF_MEMORY',
        `VM ${id} ran out of memory (limit ${Math.round((info.HostConfig.Memory ?? 0) / 1048576)} MiB) and its container was killed`,
        { details: { id, reason: 'oom_killed', vmStopped: true } },
      );
    }
    const tail = await logTail(id);
    const exit = info
      ? `exit code ${info.State.ExitCode}${info.State.Error ? `, ${info.State.Error}` : ''}`
      : 'removed';
    return new AetherError(
      'ERR_DRIVER_FAILED',
      `container of VM ${id} stopped (${exit})${tail ? `: ${tail}` : ''}`,
      {
        details: { id, reason: 'container_exited', vmStopped: true },
      },
    );
  }

  /** Polls the agent socket until ping answers; fails early when the container dies. */
  async function awaitAgent(id: string, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + s.bootTimeoutMs;
    let lastError: unknown = null;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const present = await lstat(socketPath(id)).catch(() => null);
      if (present?.isSocket()) {
        try {
          await agents.use(id, (agent) => agent.ping(CONNECT_TIMEOUT_MS));
          return;
        } catch (error) {
          lastError = error;
          agents.drop(id);
        }
      }
      if (attempt % 10 === 9) {
        const info = await inspect(id);
        if (!info?.State.Running) throw await deathError(id, info);
      }
      if (Date.now() >= deadline) {
        const tail = await logTail(id);
        throw new AetherError(
          'ERR_VM_BOOT_TIMEOUT',
          `agent of VM ${id} not ready after ${s.bootTimeoutMs} ms${lastError ? ` (${(lastError as Error).message})` : ''}${tail ? `: ${tail}` : ''}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, BOOT_POLL_MS));
    }
  }

  /**
   * The container's state once it has stopped, waiting up to `ms` (its init exits a moment after
   * the agent dies); null when it is gone, undefined when it still runs.
   */
  async function stoppedWithin(
    id: string,
    ms: number,
  ): Promise<Dockerode.ContainerInspectInfo | null | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const info = await inspect(id).catch(() => null);
      if (!info?.State.Running) return info;
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function makeDirs(id: string): Promise<void> {
    const paths = hostPaths(id);
    await mkdir(vmDir(id), { recursive: true, mode: 0o711 });
    await mkdir(paths.home, { recursive: true, mode: 0o755 });
    await mkdir(paths.run, { recursive: true, mode: 0o700 });
    if (process.getuid?.() === 0) {
      await chown(paths.home, s.user.uid, s.user.gid);
      await chown(paths.run, s.user.uid, s.user.gid);
    }
  }

  async function ensureImage(image: string): Promise<void> {
    try {
      await docker.getImage(image).inspect();
    } catch (error) {
      if (engineStatus(error) === 404)
        throw new AetherError('ERR_IMAGE_NOT_FOUND', imageMissingMessage(image));
      throw fail(error, `inspect image ${image}`);
    }
  }

  async function create(spec: VmSpec): Promise<void> {
    assertVmId(spec.id);
    const { runtime } = await prepare();
    if (await inspect(spec.id)) return;
    const image = spec.image ?? s.defaultImage;
    await ensureImage(image);
    await makeDirs(spec.id);
    try {
      await docker.createContainer(containerSpec(spec, image, s, runtime, s.agentPath, hostPaths(spec.id)));
    } catch (error) {
      // Made meanwhile by another driver over the same state (a restarted worker): it is the VM.
      if (engineStatus(error) === 409 && (await inspect(spec.id))) return;
      await rm(vmDir(spec.id), { recursive: true, force: true });
      if (engineStatus(error) === 404)
        throw new AetherError('ERR_IMAGE_NOT_FOUND', imageMissingMessage(image));
      throw fail(error, `create VM ${spec.id}`);
    }
    logger.info({ vmId: spec.id, image }, 'container created');
  }

  /** Pause and resume: the engine's cgroup freezer (`docker pause`); idempotent both ways. */
  async function pauseContainer(id: string, paused: boolean): Promise<void> {
    const state = (await existing(id)).State;
    if (!state.Running) throw vmNotRunning(id);
    if (state.Paused === paused) return;
    try {
      await (paused ? container(id).pause() : container(id).unpause());
    } catch (error) {
      throw fail(error, `${paused ? 'pause' : 'resume'} VM ${id}`);
    }
  }

  async function start(id: string, signal?: AbortSignal): Promise<void> {
    await prepare();
    const info = await existing(id);
    if (info.State.Running) {
      await agents.use(id, (agent) => agent.ping());
      return;
    }
    agents.drop(id);
    // A socket left by the previous run would answer nothing; the agent makes a fresh one.
    await unlink(socketPath(id)).catch(() => {});
    try {
      await container(id).start();
    } catch (error) {
      if (engineStatus(error) !== 304) throw fail(error, `start VM ${id}`);
    }
    try {
      await awaitAgent(id, signal);
    } catch (error) {
      await container(id)
        .kill()
        .catch(() => {});
      throw error;
    }
    logger.info({ vmId: id }, 'container started');
  }

  async function stop(id: string, graceMs: number): Promise<void> {
    const info = await existing(id);
    agents.drop(id);
    // A paused container takes no signal until thawed: a paused VM stops like a running one.
    if (info.State.Paused)
      await container(id)
        .unpause()
        .catch(() => {});
    try {
      if (graceMs <= 0) await container(id).kill();
      else await container(id).stop({ t: Math.max(1, Math.ceil(graceMs / 1000)) });
    } catch (error) {
      const status = engineStatus(error);
      // 304: already stopped; 409 on kill: not running.
      if (status !== 304 && status !== 409) throw fail(error, `stop VM ${id}`);
    }
  }

  async function destroy(id: string): Promise<void> {
    assertVmId(id);
    agents.drop(id);
    if (await inspect(id)) {
      try {
        await container(id).remove({ force: true, v: true });
      } catch (error) {
        if (engineStatus(error) !== 404) throw fail(error, `remove VM ${id}`);
      }
    }
    await rm(vmDir(id), { recursive: true, force: true });
  }

  async function status(id: string): Promise<DriverVmInfo> {
    const info = await inspect(id);
    if (!info) return { id, state: 'missing' };
    return {
      id,
      state: stateOf(info.State.Status),
      detail: {
        container: info.Id.slice(0, 12),
        image: info.Config.Image,
        startedAt: info.State.StartedAt,
        ...(info.State.Running ? {} : { exitCode: info.State.ExitCode }),
        ...(info.State.OOMKilled ? { reason: 'oom_killed' } : {}),
      },
    };
  }

  async function exec(
    id: string,
    request: ExecRequest,
    output?: ExecOutput,
    signal?: AbortSignal,
  ): Promise<ExecResult> {
    const startedAt = Date.now();
    let result: ExecResult;
    try {
      result = await viaAgent.exec(id, request, output, signal);
    } catch (error) {
      // The agent went away mid-command: the container died, perhaps of memory.
      if (isAetherError(error, 'ERR_AGENT_UNREACHABLE') || isAetherError(error, 'ERR_AGENT_PROTOCOL')) {
        const info = await stoppedWithin(id, AGENT_LOSS_SETTLE_MS);
        if (info !== undefined) throw await deathError(id, info);
      }
      throw error;
    }
    if (result.signal === 'SIGKILL' && !result.timedOut && (await oom.killedSince(id, startedAt))) {
      throw new AetherError(
        'ERR_VM_OUT_OF_MEMORY',
        `the command was killed: VM ${id} reached its memory limit (the VM keeps running)`,
        { details: { id, reason: 'oom_killed' } },
      );
    }
    return result;
  }

  return {
    name: 'docker',
    isolation: describeIsolation(s),
    create: (spec) => withLock(spec.id, () => create(spec)),
    start: (id, signal) => withLock(id, () => start(id, signal)),
    exec,
    pause: (id) => withLock(id, () => pauseContainer(id, true)),
    resume: (id) => withLock(id, () => pauseContainer(id, false)),
    stop: (id, options) => withLock(id, () => stop(id, options?.graceMs ?? s.stopGraceMs)),
    destroy: (id) => withLock(id, () => destroy(id)),
    status,
    usage: async (id) => containerUsage(id, await inspect(id), container(id)),
    probe: agentProbe(agents, status, containerGone),

    async list() {
      await prepare();
      let containers: Dockerode.ContainerInfo[];
      try {
        containers = await docker.listContainers({
          all: true,
          filters: { label: [`${LABELS.scope}=${s.scope}`] },
        });
      } catch (error) {
        throw fail(error, 'list containers');
      }
      return containers.flatMap((c) => {
        const id = c.Labels[LABELS.vmId];
        return id
          ? [{ id, state: stateOf(c.State), detail: { container: c.Id.slice(0, 12), image: c.Image } }]
          : [];
      });
    },

    health: () =>
      healthOf(async () => {
        const { engine } = await prepare();
        await ensureImage(s.defaultImage);
        return `Docker ${engine.version} (API ${engine.apiVersion}), image ${s.defaultImage}`;
      }),

    async close() {
      oom.close();
      await agents.closeAll();
    },

    files: viaAgent.files,
    ports: viaAgent.ports,

    async engine() {
      return (await prepare()).engine;
    },
  } satisfies DockerDriver;
}

/**
 * A non-TTY container's log stream interleaves stdout and stderr in frames of an 8-byte header
 * (stream, 3 zero bytes, big-endian length) and the payload; here both become one text.
 */
export function demuxText(raw: Buffer): string {
  const parts: string[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const length = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + length).toString('utf8'));
    offset += 8 + length;
  }
  return parts.join('');
}
