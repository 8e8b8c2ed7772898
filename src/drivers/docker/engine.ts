/**
 * The Docker Engine connection: where it is, whether it is new enough, and its failures as coded
 * errors that say what to fix. Requests go through dockerode (the Engine's HTTP API), never the
 * `docker` CLI, so no argument ever passes through a shell.
 */
import Dockerode from 'dockerode';
import { AetherError } from '../../core/errors.js';

/** Docker 19.03: every HostConfig field the driver sets (Init, PidsLimit, NanoCpus, ...) is there. */
export const MIN_API_VERSION = '1.40';

export interface EngineInfo {
  version: string;
  apiVersion: string;
  os: string;
}

/** `unix:///path`, a bare socket path, or `tcp://host:port` (plain HTTP: put TLS in front yourself). */
export function connectEngine(dockerHost: string): Dockerode {
  if (dockerHost.startsWith('unix://'))
    return new Dockerode({ socketPath: dockerHost.slice('unix://'.length) });
  if (dockerHost.startsWith('/')) return new Dockerode({ socketPath: dockerHost });
  const tcp = /^tcp:\/\/([^:/]+):(\d{1,5})\/?$/.exec(dockerHost);
  if (tcp) return new Dockerode({ host: tcp[1], port: Number(tcp[2]), protocol: 'http' });
  throw new AetherError(
    'ERR_CONFIG',
    `docker driver: cannot use Docker host ${JSON.stringify(dockerHost)}; give unix:///path/to/docker.sock or tcp://host:port`,
    { details: { option: 'dockerHost' } },
  );
}

interface EngineErrorShape {
  code?: unknown;
  statusCode?: unknown;
  json?: { message?: unknown } | null;
  reason?: unknown;
  message?: unknown;
}

/** The engine's own words for a failed request. */
export function engineMessage(error: unknown): string {
  const e = (error ?? {}) as EngineErrorShape;
  if (e.json && typeof e.json.message === 'string') return e.json.message;
  if (typeof e.reason === 'string' && typeof e.statusCode === 'number')
    return `${e.reason} (HTTP ${e.statusCode})`;
  return typeof e.message === 'string' ? e.message : String(error);
}

export function engineStatus(error: unknown): number | null {
  const status = (error as EngineErrorShape | null)?.statusCode;
  return typeof status === 'number' ? status : null;
}

/**
 * A failed Engine request as an AetherError: unreachable and permission-denied sockets become
 * ERR_ISOLATION_UNAVAILABLE with the fix, a missing image ERR_IMAGE_NOT_FOUND, the rest
 * ERR_DRIVER_FAILED carrying the engine's message.
 */
export function engineError(error: unknown, doing: string, dockerHost: string): AetherError {
  if (error instanceof AetherError) return error;
  const code = (error as EngineErrorShape | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    return new AetherError(
      'ERR_ISOLATION_UNAVAILABLE',
      `Docker engine not reachable at ${dockerHost} (${String(code)}): start dockerd, or point DOCKER_HOST at a running engine`,
      { cause: error },
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new AetherError(
      'ERR_ISOLATION_UNAVAILABLE',
      `permission denied on the Docker socket ${dockerHost}: run as a member of the docker group or as root`,
      { cause: error },
    );
  }
  const message = engineMessage(error);
  if (
    engineStatus(error) === 404 &&
    /no such image|not found/i.test(message) &&
    /image/i.test(doing + message)
  ) {
    return new AetherError('ERR_IMAGE_NOT_FOUND', `docker: ${doing}: ${message}; ${IMAGE_HINT}`, {
      cause: error,
    });
  }
  return new AetherError('ERR_DRIVER_FAILED', `docker: ${doing}: ${message}`, { cause: error });
}

const IMAGE_HINT =
  "build Aetherium's guest image with `aether image build --docker`, or build/load the image you named with `docker build` or `docker load`";

export function imageMissingMessage(image: string): string {
  return `image ${image} is not in the Docker engine (no registry is consulted): ${IMAGE_HINT}`;
}

function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

/** Asks the engine its version; refuses one older than MIN_API_VERSION. */
export async function checkEngine(docker: Dockerode, dockerHost: string): Promise<EngineInfo> {
  let version: Awaited<ReturnType<Dockerode['version']>>;
  try {
    version = await docker.version();
  } catch (error) {
    throw engineError(error, 'version', dockerHost);
  }
  if (compareVersions(version.ApiVersion, MIN_API_VERSION) < 0) {
    throw new AetherError(
      'ERR_ISOLATION_UNAVAILABLE',
      `Docker engine ${version.Version} at ${dockerHost} speaks API ${version.ApiVersion}; the docker driver needs ${MIN_API_VERSION} or newer (Docker 19.03+)`,
    );
  }
  return { version: version.Version, apiVersion: version.ApiVersion, os: version.Os };
}
