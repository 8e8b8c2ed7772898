/**
 * Headers across the proxy. Hop-by-hop headers (RFC 9110 §7.6.1: Connection and those it names,
 * Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-*) belong to one connection and are
 * never passed on; an upgrade keeps its Upgrade and Connection, which are what it asks the app.
 * The gateway's own credentials (an API key, a preview token, the preview cookie, the dashboard's
 * session cookie) stop here: the app never sees them.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { SESSION_COOKIE } from '../auth/session-cookie.js';
import { PREVIEW_COOKIE, PREVIEW_TOKEN_HEADER, requestHost, requestProtocol } from './preview-addresses.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Hop-by-hop names of a message: the fixed ones and those its Connection header lists. */
function hopByHop(headers: IncomingHttpHeaders): Set<string> {
  const names = new Set(HOP_BY_HOP);
  const connection = headers.connection;
  for (const value of Array.isArray(connection) ? connection : connection ? [connection] : []) {
    for (const name of value.split(',')) if (name.trim()) names.add(name.trim().toLowerCase());
  }
  return names;
}

export interface AppRequestHeaderOptions {
  /** The app's port: the Host it is asked under is `localhost:<port>`, where it listens. */
  port: number;
  /** The path the app is served under, for X-Forwarded-Prefix (path forms only). */
  prefix?: string;
  /** The Authorization header carried the gateway's credential: drop it. */
  dropAuthorization: boolean;
  /** An upgrade (WebSocket): its Upgrade header goes on, with `Connection: Upgrade`. */
  upgrade: boolean;
}

/** The client's headers as the app gets them. */
export function appRequestHeaders(
  raw: IncomingMessage,
  options: AppRequestHeaderOptions,
): OutgoingHttpHeaders {
  const dropped = hopByHop(raw.headers);
  // Answered by the gateway already (Node sends `100 Continue` itself).
  dropped.add('expect');
  dropped.add('host');
  dropped.add(PREVIEW_TOKEN_HEADER);
  if (options.dropAuthorization) dropped.add('authorization');
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(raw.headers)) {
    if (value !== undefined && !dropped.has(name)) headers[name] = value;
  }
  const cookie = withoutPreviewCookie(raw.headers.cookie);
  if (cookie) headers.cookie = cookie;
  else delete headers.cookie;
  if (options.upgrade && raw.headers.upgrade) {
    headers.connection = 'Upgrade';
    headers.upgrade = raw.headers.upgrade;
  }
  headers.host = `localhost:${options.port}`;
  const client = raw.socket?.remoteAddress;
  const forwardedFor = raw.headers['x-forwarded-for'];
  if (client) headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${client}` : client;
  headers['x-forwarded-proto'] = requestProtocol(raw);
  const host = requestHost(raw.headers);
  if (host) headers['x-forwarded-host'] = host;
  if (options.prefix) headers['x-forwarded-prefix'] = options.prefix;
  else delete headers['x-forwarded-prefix'];
  return headers;
}

/** The app's answer headers as the client gets them. */
export function clientResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const dropped = hopByHop(headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !dropped.has(name)) out[name] = value;
  }
  return out;
}

/** The gateway's own cookies: a preview's token, and the dashboard's session on the gateway's host. */
const GATEWAY_COOKIES = new Set([PREVIEW_COOKIE, SESSION_COOKIE]);

/** A Cookie header without the gateway's own cookies; undefined when nothing is left. */
export function withoutPreviewCookie(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  const kept = cookie
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '' && !GATEWAY_COOKIES.has(pair.split('=')[0]!.trim()));
  return kept.length > 0 ? kept.join('; ') : undefined;
}

/** The preview cookie's value in a Cookie header (the last one, if several). */
export function previewCookie(cookie: string | undefined): string | undefined {
  let found: string | undefined;
  for (const pair of (cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === PREVIEW_COOKIE) found = pair.slice(at + 1).trim();
  }
  return found;
}
