import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AetherError } from '../../core/errors.js';
import { type Access, accessOf, type Principal } from '../../core/principal.js';
import type { ApiKeyService } from '../../service/api-keys.js';
import { looksLikeApiKey } from '../../service/api-keys.js';
import type { JwtVerifier } from './jwt-verifier.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request; null until authenticated, and on public routes without credentials. */
    principal: Principal | null;
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
}

/**
 * The bearer token of a request: the Authorization header, or, for GET requests only (a browser
 * cannot set headers on a WebSocket or EventSource), the `access_token` query parameter.
 */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer ([\x21-\x7e]{1,4096})$/i.exec(header.trim());
    return match ? match[1]! : null;
  }
  if (request.method === 'GET') {
    const token = (request.query as Record<string, unknown> | undefined)?.access_token;
    if (typeof token === 'string' && token.length > 0 && token.length <= 4096) return token;
  }
  return null;
}

async function identify(auth: Authenticator, token: string | null): Promise<Principal | null> {
  if (auth.anonymous) return auth.anonymous;
  if (!token) return null;
  if (looksLikeApiKey(token)) return auth.apiKeys.verify(token);
  if (auth.jwt && token.split('.').length === 3) return auth.jwt(token);
  return null;
}

/**
 * First of two hooks around the rate limiter: finds the principal, so limits count per project
 * (and per address before authentication). Register before the limiter.
 */
export function identifyCallers(app: FastifyInstance, auth: Authenticator): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    request.principal = await identify(auth, bearerToken(request));
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
        'send a valid API key or JWT as "Authorization: Bearer <token>" (aether key create makes keys)',
      );
    }
    if (config?.admin && !request.principal.admin) {
      throw new AetherError('ERR_FORBIDDEN', 'this needs an admin key');
    }
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
