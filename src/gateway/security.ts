import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { AetherError } from '../core/errors.js';
import {
  type Authenticator,
  identifyCallers,
  refuseCrossSiteSessions,
  refuseUnauthorised,
} from './auth/authenticate.js';
import { hostsOf } from './auth/cross-site.js';

export interface SecuritySettings {
  rateLimit: {
    /** Requests per key (project, or address before authentication) per window. */
    max: number;
    windowMs: number;
    /** Shared counters for several gateways; in-process counters without it. */
    redis?: Redis;
  };
  /** Browser origins allowed to call the API; none = no CORS headers at all. */
  corsOrigins: readonly string[];
  /**
   * Origins the gateway's own pages (the dashboard) are reached at besides the host a request
   * names: its public URL, behind a proxy that rewrites Host. Session-cookie requests must come
   * from these or from that host.
   */
  ownOrigins?: readonly string[];
}

/**
 * Everything that stands between the socket and a route, in order: CORS preflight, security
 * headers, who is calling, how often they may, whether they may call this route at all, and
 * whether a browser's session cookie was sent by another site.
 */
export async function installSecurity(
  app: FastifyInstance,
  auth: Authenticator,
  settings: SecuritySettings,
): Promise<void> {
  if (settings.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...settings.corsOrigins],
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type'],
      exposedHeaders: ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
      maxAge: 600,
    });
  }
  await app.register(helmet, {
    // An API answers JSON: nothing on it may load or frame anything. The docs page sets its own.
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'same-site' },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
  });

  identifyCallers(app, auth);
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    // Redis down: let requests through rather than answer 500 (the store and queue will say more).
    skipOnError: true,
    max: settings.rateLimit.max,
    timeWindow: settings.rateLimit.windowMs,
    ...(settings.rateLimit.redis ? { redis: settings.rateLimit.redis, nameSpace: 'aether:ratelimit:' } : {}),
    // Per project once authenticated; per address before (which also slows key guessing).
    // `request.ip` is undefined on injected WebSocket requests, hence the fallback.
    keyGenerator: (request) =>
      request.principal ? `p:${request.principal.project}` : `ip:${request.ip ?? 'local'}`,
    errorResponseBuilder: (_request, context) =>
      new AetherError(
        'ERR_RATE_LIMITED',
        `too many requests: ${context.max} per ${context.after}; retry after ${Math.ceil(context.ttl / 1000)} s`,
      ),
  });
  refuseUnauthorised(app);
  refuseCrossSiteSessions(app, auth, hostsOf(settings.ownOrigins ?? []));
}
