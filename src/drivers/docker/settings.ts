/** Settings of the `docker` driver: given by the caller (parsed config), never read from the env. */
import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { AetherError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

export interface DockerDriverSettings {
  /** Host directory owning each VM's workspace and agent socket: `<stateDir>/vms/<id>/{home,run}`. Absolute. */
  stateDir: string;
  /** The bundled agent (`dist/agent.js`), bound read-only into each container. Absolute. */
  agentPath: string;
  /** Node binary that runs the agent, with its loader and libraries bound from the host. Default: `process.execPath`. */
  nodePath?: string;
  /** Engine address: `unix:///var/run/docker.sock` (default), `tcp://host:2375`, or a socket path. */
  dockerHost?: string;
  /** Image of VMs whose request names none. Default `aetherium/guest:latest` (`aether image build --docker`). */
  defaultImage?: string;
  /**
   * `uid:gid` the agent and every command run as inside the container. Default: 65534:65534 when
   * this host process is root (container root would be host root, as there is no user namespace
   * remapping), else this process's own uid:gid (it must own the workspace it hands over).
   */
  user?: string;
  /** Container root file system read-only (a writable home, /tmp and /run are mounted). Default true. */
  readOnlyRoot?: boolean;
  /** Processes per container. Default 512. */
  pidsLimit?: number;
  /** Docker network of VMs created with `network: true`. Default `bridge`. */
  network?: string;
  /** Labels every container with this, and lists only containers carrying it. Default: derived from stateDir. */
  scope?: string;
  /** Shown on each container's labels so an operator can tell which worker made it. */
  workerId?: string;
  /** From container start to the agent answering ping. Default 30 000 ms. */
  bootTimeoutMs?: number;
  /** `stop()` grace before SIGKILL when the caller gives none. Default 3 000 ms. */
  stopGraceMs?: number;
}

export interface DockerDriverDeps {
  logger?: Logger;
}

export interface ResolvedDockerSettings {
  stateDir: string;
  agentPath: string;
  nodePath: string;
  dockerHost: string;
  defaultImage: string;
  user: { uid: number; gid: number };
  readOnlyRoot: boolean;
  pidsLimit: number;
  network: string;
  scope: string;
  workerId: string;
  bootTimeoutMs: number;
  stopGraceMs: number;
}

export const DEFAULT_DOCKER_IMAGE = 'aetherium/guest:latest';
export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

function fail(message: string): never {
  throw new AetherError('ERR_CONFIG', `docker driver: ${message}`);
}

function absolute(name: string, value: string | undefined): string {
  if (!value || !isAbsolute(value)) fail(`${name} must be an absolute path`);
  return value;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n <= 0) fail(`${name} must be a positive integer`);
  return n;
}

function parseUser(value: string | undefined): { uid: number; gid: number } {
  const isRoot = process.getuid?.() === 0;
  if (value === undefined) {
    return isRoot ? { uid: 65534, gid: 65534 } : { uid: process.getuid!(), gid: process.getgid!() };
  }
  const match = /^(\d{1,10}):(\d{1,10})$/.exec(value);
  if (!match) fail(`user must be numeric uid:gid, got ${JSON.stringify(value)}`);
  const ids = { uid: Number(match[1]), gid: Number(match[2]) };
  if (ids.uid === 0 || ids.gid === 0)
    fail('user must not be 0 (container root is host root without userns remapping)');
  return ids;
}

export function resolveDockerSettings(settings: DockerDriverSettings): ResolvedDockerSettings {
  const stateDir = absolute('stateDir', settings.stateDir);
  const network = settings.network ?? 'bridge';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(network) || network === 'host')
    fail(`network must name a Docker network other than "host", got ${JSON.stringify(network)}`);
  return Object.freeze({
    stateDir,
    agentPath: absolute('agentPath', settings.agentPath),
    nodePath: absolute('nodePath', settings.nodePath ?? process.execPath),
    dockerHost: settings.dockerHost || DEFAULT_DOCKER_HOST,
    defaultImage: settings.defaultImage || DEFAULT_DOCKER_IMAGE,
    user: parseUser(settings.user),
    readOnlyRoot: settings.readOnlyRoot ?? true,
    pidsLimit: positive('pidsLimit', settings.pidsLimit, 512),
    network,
    scope: settings.scope ?? createHash('sha256').update(stateDir).digest('hex').slice(0, 16),
    workerId: settings.workerId ?? '',
    bootTimeoutMs: positive('bootTimeoutMs', settings.bootTimeoutMs, 30_000),
    stopGraceMs: positive('stopGraceMs', settings.stopGraceMs, 3_000),
  });
}
