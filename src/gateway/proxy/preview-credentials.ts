/**
 * What authorises a request to a preview-domain host, in this order: a token in the query (given
 * once: the answer is a redirect to the same URL without it, setting the host's cookie), a token
 * header, the caller's own API key or JWT, the host's cookie.
 */
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../core/principal.js';
import { looksLikeApiKey } from '../../service/api-keys.js';
import { looksLikePreviewToken } from '../../service/preview-service.js';
import type { Authenticator } from '../auth/authenticate.js';
import { PREVIEW_COOKIE, PREVIEW_QUERY_TOKEN, PREVIEW_TOKEN_HEADER } from './preview-addresses.js';
import { previewCookie } from './proxy-headers.js';

export type PreviewCredential =
  | { kind: 'query-token'; token: string }
  | { kind: 'header-token'; token: string }
  | { kind: 'caller'; principal: Principal }
  | { kind: 'cookie'; token: string }
  | { kind: 'none' };

export function previewCredential(
  request: FastifyRequest,
  url: string,
  auth: Authenticator,
): PreviewCredential {
  const query = queryParameter(url, PREVIEW_QUERY_TOKEN);
  if (query) return { kind: 'query-token', token: query };
  const header = request.headers[PREVIEW_TOKEN_HEADER];
  if (typeof header === 'string' && header !== '') return { kind: 'header-token', token: header.trim() };
  if (request.principal && authorizationIsOurs(request, auth)) {
    return { kind: 'caller', principal: request.principal };
  }
  const cookie = previewCookie(request.headers.cookie);
  if (cookie) return { kind: 'cookie', token: cookie };
  return { kind: 'none' };
}

/**
 * Whether the request's Authorization header is the gateway's credential (an API key, a preview
 * token, a JWT it accepted) rather than the app's own: then it never reaches the app.
 */
export function authorizationIsOurs(request: FastifyRequest, auth: Authenticator): boolean {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return false;
  const token = /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
  if (!token) return false;
  if (looksLikeApiKey(token) || looksLikePreviewToken(token)) return true;
  return request.principal?.via === 'jwt' && request.principal !== auth.anonymous;
}

/** The preview cookie for `token`: this host only, for as long as the preview lasts. */
export function previewCookieHeader(token: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${PREVIEW_COOKIE}=${token}`,
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** One query parameter of a raw URL, decoded; the last one when it repeats. */
export function queryParameter(url: string, name: string): string | undefined {
  const queryAt = url.indexOf('?');
  if (queryAt === -1) return undefined;
  const values = new URLSearchParams(url.slice(queryAt + 1)).getAll(name);
  return values.at(-1) || undefined;
}
