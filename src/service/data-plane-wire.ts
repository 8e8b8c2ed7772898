/**
 * How a gateway reaches a worker's data plane in a cluster: plain HTTP on the worker's internal
 * listener (the address it registered), every request carrying the cluster secret as a bearer
 * token. One request per call; bodies stream both ways with TCP's own backpressure. Errors come
 * back as a status and `{ error: WireError }`, as on the public API.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Every data-plane path starts with this; a request elsewhere is a 404. */
export const DATA_PLANE_PREFIX = '/data/v1';

export const DATA_PLANE_OPERATIONS = [
  'upload',
  'download',
  'stat',
  'list',
  'mkdir',
  'remove',
  'rename',
  'processes',
  'usage',
  'signal',
  'stdin',
  'terminal-open',
  'terminals',
  'terminal',
  'terminal-resize',
  'terminal-close',
] as const;
export type DataPlaneOperation = (typeof DATA_PLANE_OPERATIONS)[number];

/** Operations whose request carries a body (the others send none). */
export const OPERATIONS_WITH_BODY: ReadonlySet<DataPlaneOperation> = new Set([
  'upload',
  'stdin',
  'terminal-open',
]);

/**
 * Operations reached by an HTTP upgrade rather than a request: a port connection becomes the raw
 * TCP stream (`Upgrade: aether-tunnel`), a terminal attachment a WebSocket (core/terminal-socket.ts).
 */
export const PORT_UPGRADE_PATH = `${DATA_PLANE_PREFIX}/port`;
export const TERMINAL_ATTACH_PATH = `${DATA_PLANE_PREFIX}/terminal-attach`;
export const TUNNEL_PROTOCOL = 'aether-tunnel';
/** Largest terminal-open body: argv, env and cwd of one command. */
export const MAX_TERMINAL_SPEC_BYTES = 256 * 1024;

/** Answer headers of a download: what the body is. */
export const ENTRY_HEADER = 'x-aether-entry';
export const FORMAT_HEADER = 'x-aether-format';

/** Shortest cluster secret accepted: a guessable secret would open every VM of the cluster. */
export const MIN_CLUSTER_SECRET_LENGTH = 32;

/**
 * Constant-time check of a presented bearer token against the cluster secret. Both are hashed
 * first so that neither their lengths nor their contents leak through timing.
 */
export function isClusterSecret(presented: string | undefined, secret: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization?.startsWith('Bearer ')) return undefined;
  return authorization.slice('Bearer '.length);
}
