import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AetherError } from '../../core/errors.js';
import { type Access, accessOf, type Principal } from '../../core/principal.js';
import type { SessionRecord } from '../../core/session.js';
import type { ApiKeyService } from '../../service/api-keys.js';
import { looksLikeApiKey } from '../../service/api-keys.js';
import { principalOfSession, type SessionService } from '../../service/sessions.js';
import { refuseCrossSite } from './cross-site.js';
import type { JwtVerifier } from './jwt-verifier.js';
import { sessionCookieValue } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request; null until authenticated, and on public routes without credentials. */
    principal: Principal | null;
    /** The browser session whose cookie authenticated the request; null for every other request. */
    browserSession: BrowserSession | null;
  }
  interface FastifyContextConfig {
    /** Answers without credentials (health, docs, the spec). */
    public?: boolean;
    /** Only admin principals (keys of every project, workers, metrics). */
    admin?: boolean;
  }
}

export interface Authenticator {
  apiKeys: ApiKeyService;
  jwt: JwtVerifier | null;
  /** With auth `off` (loopback only): every request acts as this principal. */
  anonymous?: Principal;
  /** Browser sessions (the dashboard's sign-in); absent, no cookie authenticates anything. */
  sessions?: SessionService;
}

/** A session cookie that authenticated a request: the session, and the secret the cookie held. */
export interface BrowserSession {
  record: SessionRecord;
  secret: string;
}

/** The header the original system's documentation sends API keys in; `Authorization` wins over it. */
export const API_KEY_HEADER = 'x-api-key';

/**
 * The bearer token of a request: the Authorization header, else the `X-API-Key` header, or, for
 * GET requests only (a browser cannot set headers on a WebSocket or EventSource), the
 * `access_token` query parameter.
 */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer ([\x21-\x7e]{1,4096})$/i.exec(header.trim());
    return match ? match[1]! : null;
  }
  const apiKey = request.headers[API_KEY_HEADER];
  if (typeof apiKey === 'string') return /^[\x21-\x7e]{1,4096}$/.test(apiKey.trim()) ? apiKey.trim() : null;
  if (request.method === 'GET') {
    const token = (request.query as Record<string, unknown> | undefined)?.access_token;
    if (typeof token === 'string' && token.length > 0 && token.length <= 4096) return token;
  }
  return null;
}

/**
 * The principal a bearer token stands for; null for a missing, malformed, unknown, wrong,
 * revoked or expired one. Signing in (POST /sessions) verifies its token through this too.
 */
export async function identify(auth: Authenticator, token: string | null): Promise<Principal | null> {
  if (auth.anonymous) return auth.anonymous;
  if (!token) return null;
  if (looksLikeApiKey(token)) return auth.apiKeys.verify(token);
  if (auth.jwt && token.split('.').length === 3) return auth.jwt(token);
  return null;
}

/** Whether the request brings a bearer credential, valid or not: then no cookie counts. */
function bringsBearer(request: FastifyRequest): boolean {
  if (request.headers.authorization !== undefined || request.headers[API_KEY_HEADER] !== undefined)
    return true;
  return (
    request.method === 'GET' &&
    (request.query as Record<string, unknown> | undefined)?.access_token !== undefined
  );
}

/**
 * Whether a session cookie may authenticate this request: on routes that need credentials
 * (unknown paths included, so they answer as before), never on the proxy into apps in VMs,
 * which would run an app's pages on this origin with the browser's session.
 */
function takesSessionCookie(request: FastifyRequest): boolean {
  const config = request.routeOptions.config as { public?: boolean; proxied?: boolean } | undefined;
  return !config?.public && !config?.proxied && !bringsBearer(request);
}

async function identifyBrowser(auth: Authenticator, request: FastifyRequest): Promise<void> {
  if (!auth.sessions || !takesSessionCookie(request)) return;
  const secret = sessionCookieValue(request.headers.cookie);
  if (!secret) return;
  const record = await auth.sessions.resolve(secret);
  if (!record) return;
  request.principal = principalOfSession(record);
  request.browserSession = { record, secret };
}

/**
 * First of two hooks around the rate limiter: finds the principal (from a bearer token, else
 * from the session cookie), so limits count per project (and per address before
 * authentication). Register before the limiter.
 */
export function identifyCallers(app: FastifyInstance, auth: Authenticator): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('browserSession', null);
  app.addHook('onRequest', async (request) => {
    request.principal = await identify(auth, bearerToken(request));
    if (!request.principal) await identifyBrowser(auth, request);
  });
}

/**
 * Second hook, after the limiter: refuses what may not pass. Every route needs credentials
 * unless its config says `public`; unknown routes too, so an unauthenticated caller learns
 * nothing about which routes exist. `preParsing`: after every onRequest hook (the limiter's are
 * route-level, which run after ours), before any body is read.
 */
export function refuseUnauthorised(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config?.public) return;
    if (!request.principal) {
      reply.header('www-authenticate', 'Bearer realm="aetherium"');
      throw new AetherError(
        'ERR_UNAUTHENTICATED',
        takesSessionCookie(request) && sessionCookieValue(request.headers.cookie)
          ? 'the session has ended (signed out, expired, or its key revoked): sign in again with POST /api/v1/sessions, or send a valid API key or JWT as "Authorization: Bearer <token>"'
          : 'send a valid API key or JWT as "Authorization: Bearer <token>" (aether key create makes keys)',
      );
    }
    if (config?.admin && !request.principal.admin) {
      throw new AetherError('ERR_FORBIDDEN', 'this needs an admin key');
    }
  });
}

/**
 * After refuseUnauthorised: a request the session cookie authenticated must come from the
 * gateway's own pages, and carry the CSRF token when unsafe (cross-site.ts). `trustedHosts`:
 * other hosts the pages may be reached at (the public URL's, behind a proxy that rewrites Host).
 */
export function refuseCrossSiteSessions(
  app: FastifyInstance,
  auth: Authenticator,
  trustedHosts: readonly string[],
): void {
  const sessions = auth.sessions;
  if (!sessions) return;
  app.addHook('preParsing', async (request) => {
    const browser = request.browserSession;
    if (!browser) return;
    refuseCrossSite(request, trustedHosts, (given) => sessions.csrfTokenMatches(browser.secret, given));
  });
}

/** The principal of an authenticated route (the hooks guarantee one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AetherError('ERR_UNAUTHENTICATED', 'no credentials');
  return request.principal;
}

/** What the caller of an authenticated route may see and where its new resources go. */
export function accessFor(request: FastifyRequest): Access {
  return accessOf(principalOf(request));
}
