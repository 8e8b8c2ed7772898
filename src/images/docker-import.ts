/**
 * Puts a cached guest image into the local Docker engine. No registry is involved: the rootfs
 * tarball is streamed to `POST /images/create?fromSrc=-` (docker import), tagged
 * `<repository>:<short id>` and `<repository>:latest`, and labelled with our content address so
 * the image can be traced back to its recipe. Importing again is cheap: an image already
 * tagged with the short id and carrying the right label is only tagged `latest` again.
 */
import { createReadStream } from 'node:fs';
import type Dockerode from 'dockerode';
import { AetherError } from '../core/errors.js';
import type { CachedGuestImage } from './image-cache.js';
import { shortImageId } from './image-id.js';

export const DEFAULT_GUEST_REPOSITORY = 'aetherium/guest';
export const IMAGE_ID_LABEL = 'org.aetherium.image-id';

export interface DockerImportOptions {
  /** How the engine is named in messages (`unix:///var/run/docker.sock`); default read from the client. */
  engineAddress?: string;
  /** Default DEFAULT_GUEST_REPOSITORY. */
  repository?: string;
  signal?: AbortSignal;
}

export interface DockerImportInfo {
  /** The engine's own image id (a hash of its image config, not our content address). */
  dockerImageId: string;
  /** `<repository>:<short>` and `<repository>:latest`. */
  tags: string[];
  /** False when the image was there already and only `latest` was tagged again. */
  imported: boolean;
}

/** Docker's reference grammar for a repository path (lowercase components), without a registry port. */
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** Where the engine is, for messages: `unix:///var/run/docker.sock` or `tcp://host:2376`. */
export function dockerEngineAddress(docker: Dockerode): string {
  const modem = docker.modem as { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown };
  if (typeof modem.socketPath === 'string') return `unix://${modem.socketPath}`;
  const protocol = typeof modem.protocol === 'string' ? modem.protocol : 'http';
  return `${protocol}://${String(modem.host)}:${String(modem.port)}`;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

interface EngineErrorFields {
  code?: unknown;
  syscall?: unknown;
  statusCode?: unknown;
  json?: { message?: unknown } | null;
  message?: unknown;
}

/**
 * A failed engine call as one coded error. An engine that cannot be reached is
 * ERR_ISOLATION_UNAVAILABLE, as when a node starts the docker driver; what the engine refused
 * is ERR_IMAGE_BUILD_FAILED in its own words.
 */
function engineError(address: string, what: string, error: unknown): AetherError {
  const e = (error ?? {}) as EngineErrorFields;
  const connecting = e.syscall === 'connect' || e.syscall === 'getaddrinfo';
  if (connecting && typeof e.code === 'string' && UNREACHABLE.has(e.code)) {
    const message =
      e.code === 'EACCES'
        ? `permission denied on the Docker socket ${address}: run as a member of the docker group or as root`
        : `Docker engine not reachable at ${address} (${e.code}): start dockerd, or point DOCKER_HOST at a running engine`;
    return new AetherError('ERR_ISOLATION_UNAVAILABLE', message, { cause: error, details: { address } });
  }
  // dockerode's message reads "(HTTP code 500) server error - <what the engine said>".
  const said = (typeof e.json?.message === 'string' ? e.json.message : String(e.message ?? error))
    .replace(/^\(HTTP code \d+\) [^-]*- /, '')
    .trim();
  return new AetherError('ERR_IMAGE_BUILD_FAILED', `Docker engine at ${address}: ${what} failed: ${said}`, {
    cause: error,
    details: { address, ...(typeof e.statusCode === 'number' ? { status: e.statusCode } : {}) },
  });
}

function isNotFound(error: unknown): boolean {
  return (error as EngineErrorFields | null)?.statusCode === 404;
}

/** Reads the engine's NDJSON progress stream to its end; the last status, or throws what it reported. */
async function followImport(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  let last = '';
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let message: { status?: unknown; error?: unknown; errorDetail?: { message?: unknown } };
    try {
      message = JSON.parse(line);
    } catch {
      continue;
    }
    if (message.error !== undefined || message.errorDetail !== undefined) {
      throw new Error(String(message.errorDetail?.message ?? message.error));
    }
    if (typeof message.status === 'string') last = message.status;
  }
  return last;
}

function importStream(
  docker: Dockerode,
  file: string,
  query: Record<string, unknown>,
): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    docker.importImage(createReadStream(file), query, (error, stream) => {
      if (error || !stream) reject(error ?? new Error('no response stream'));
      else resolve(stream);
    });
  });
}

/** The Docker tags of `repository` and the engine image id each points at. */
export async function listDockerTags(
  docker: Dockerode,
  repository = DEFAULT_GUEST_REPOSITORY,
  engineAddress = dockerEngineAddress(docker),
): Promise<Map<string, string>> {
  let images: Dockerode.ImageInfo[];
  try {
    images = await docker.listImages({ filters: { reference: [repository] } } as Dockerode.ListImagesOptions);
  } catch (error) {
    throw engineError(engineAddress, 'listing images', error);
  }
  const tags = new Map<string, string>();
  for (const image of images) {
    for (const ref of image.RepoTags ?? []) {
      const colon = ref.lastIndexOf(':');
      if (ref.slice(0, colon) === repository) tags.set(ref.slice(colon + 1), image.Id);
    }
  }
  return tags;
}

/** Imports a cached image's rootfs into the engine (or finds it there) and tags it; see the file comment. */
export async function importIntoDocker(
  docker: Dockerode,
  image: Pick<CachedGuestImage, 'manifest' | 'rootfsPath'>,
  options: DockerImportOptions = {},
): Promise<DockerImportInfo> {
  const { manifest, rootfsPath } = image;
  const repository = options.repository ?? DEFAULT_GUEST_REPOSITORY;
  const address = options.engineAddress ?? dockerEngineAddress(docker);
  if (!REPOSITORY.test(repository)) {
    throw new AetherError(
      'ERR_VALIDATION',
      `repository: ${JSON.stringify(repository)} is not a Docker repository name (lowercase, e.g. ${DEFAULT_GUEST_REPOSITORY})`,
      { details: { field: 'repository' } },
    );
  }
  const short = shortImageId(manifest.id);
  const shortRef = `${repository}:${short}`;
  const tags = [shortRef, `${repository}:latest`];
  try {
    await docker.ping();
  } catch (error) {
    throw engineError(address, 'ping', error);
  }

  let existing: Dockerode.ImageInspectInfo | null = null;
  try {
    existing = await docker.getImage(shortRef).inspect();
  } catch (error) {
    if (!isNotFound(error)) throw engineError(address, `inspecting ${shortRef}`, error);
  }
  const ours = existing !== null && existing.Config?.Labels?.[IMAGE_ID_LABEL] === manifest.id;

  let dockerImageId = existing?.Id ?? '';
  if (!ours) {
    try {
      const stream = await importStream(docker, rootfsPath, {
        repo: repository,
        tag: short,
        message: `aetherium guest ${manifest.id}`,
        changes: [`LABEL ${IMAGE_ID_LABEL}=${manifest.id}`, 'CMD ["/bin/bash"]'],
        ...(options.signal ? { abortSignal: options.signal } : {}),
      });
      dockerImageId = await followImport(stream);
    } catch (error) {
      throw engineError(address, `importing ${rootfsPath}`, error);
    }
  }
  try {
    await docker.getImage(shortRef).tag({ repo: repository, tag: 'latest' });
    if (!dockerImageId.startsWith('sha256:')) dockerImageId = (await docker.getImage(shortRef).inspect()).Id;
  } catch (error) {
    throw engineError(address, `tagging ${shortRef} as latest`, error);
  }
  return { dockerImageId, tags, imported: !ours };
}
