/**
 * What the HTTP transport checks before a request reaches MCP: whose key it carries, and, on a
 * loopback address, that it was meant for this machine (a web page could otherwise reach it
 * through DNS rebinding, with the key of the process).
 */

/** The token of `Authorization: Bearer <token>`, as RFC 6750 writes it. */
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;
const MAX_TOKEN_CHARS = 4096;

export type KeyOfRequest =
  | { kind: 'key'; key: string }
  /** No Authorization header at all. */
  | { kind: 'none' }
  /** A header that is not a bearer token: refused, never replaced by the process's key. */
  | { kind: 'malformed' };

export function keyOfRequest(authorization: string | undefined): KeyOfRequest {
  if (authorization === undefined || authorization === '') return { kind: 'none' };
  const match = BEARER.exec(authorization.trim());
  if (!match || match[1]!.length > MAX_TOKEN_CHARS) return { kind: 'malformed' };
  return { kind: 'key', key: match[1]! };
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1', '[::1]'];

export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.includes(host.toLowerCase());
}

/** The host name of a Host header, without its port (`[::1]:8090` → `[::1]`). */
function hostName(header: string): string {
  const bracketed = /^(\[[^\]]*\])(?::\d+)?$/.exec(header);
  if (bracketed) return bracketed[1]!;
  return header.replace(/:\d+$/, '');
}

/** On a loopback address only requests addressed to a loopback name; elsewhere any. */
export function hostAllowed(boundHost: string, header: string | undefined): boolean {
  if (!isLoopback(boundHost)) return true;
  return header !== undefined && isLoopback(hostName(header));
}
