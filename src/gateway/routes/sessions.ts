import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { decodeJwt } from 'jose';
import { AetherError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { SessionService } from '../../service/sessions.js';
import { bearerToken, identify, principalOf } from '../auth/authenticate.js';
import { comesFromOwnOrigin, hostsOf } from '../auth/cross-site.js';
import {
  clearedSessionCookieHeader,
  sessionCookieHeader,
  sessionCookieValue,
} from '../auth/session-cookie.js';
import type { GatewayDeps, GatewaySettings } from '../context.js';
import { requestProtocol } from '../proxy/preview-addresses.js';
import { routeOptions } from '../route-schema.js';
import { bearerCallerJson, sessionJson } from '../serialize-session.js';

/** A JWT's `exp`, read after the token was verified (which requires one); null for an API key. */
function jwtExpiry(principal: Principal, token: string | null): Date | null {
  if (principal.via !== 'jwt' || !token) return null;
  const { exp } = decodeJwt(token);
  return typeof exp === 'number' ? new Date(exp * 1000) : null;
}

/** The cookie is `Secure` when the browser reached the gateway over https (here or at a proxy). */
function overHttps(request: FastifyRequest): boolean {
  return requestProtocol(request.raw) === 'https';
}

/**
 * Browser sessions (docs/security.md): sign in with an API key or JWT for an HttpOnly session
 * cookie, learn who the cookie (or a bearer token) acts as and the CSRF token, sign out.
 */
export function sessionRoutes(deps: GatewayDeps, settings: GatewaySettings): FastifyPluginAsyncZod {
  const { auth, logger } = deps;
  const ownHosts = hostsOf(settings.security.ownOrigins ?? []);
  const service = (): SessionService => {
    if (!auth.sessions) throw new AetherError('ERR_UNSUPPORTED', 'this gateway has no browser sessions');
    return auth.sessions;
  };

  return async (app) => {
    app.post('/sessions', routeOptions('createSession'), async (request, reply) => {
      const sessions = service();
      // Another site's page could otherwise sign this browser in as someone else.
      if (!comesFromOwnOrigin(request, ownHosts)) {
        throw new AetherError('ERR_CSRF', "sign in from the gateway's own pages, not another origin");
      }
      if (auth.anonymous) {
        throw new AetherError(
          'ERR_VALIDATION',
          'auth is off on this gateway: every request acts as the admin, so there is nothing to sign in to',
        );
      }
      const { token } = request.body;
      const principal = await identify(auth, token);
      if (!principal) {
        throw new AetherError(
          'ERR_UNAUTHENTICATED',
          'the token is not a valid API key or JWT (wrong, revoked or expired?); aether key create makes keys',
        );
      }
      // A new sign-in ends the session this browser held, if any.
      const previous = sessionCookieValue(request.headers.cookie);
      const held = previous ? await sessions.resolve(previous) : null;
      if (held) await sessions.revoke(held.id);

      const { session, secret } = await sessions.create(principal, jwtExpiry(principal, token));
      const seconds = Math.floor((session.expiresAt.getTime() - Date.now()) / 1000);
      reply.header('set-cookie', sessionCookieHeader(secret, seconds, overHttps(request)));
      logger.info(
        { session: session.id, principal: principal.id, project: principal.project, via: principal.via },
        'signed in',
      );
      return reply.status(201).send(sessionJson(session, sessions.csrfTokenOf(secret)));
    });

    app.get('/sessions/current', routeOptions('getSession'), async (request) => {
      const sessions = service();
      const browser = request.browserSession;
      if (browser) return sessionJson(browser.record, sessions.csrfTokenOf(browser.secret));
      const principal = principalOf(request);
      const credential = await sessions.describe(principal, jwtExpiry(principal, bearerToken(request)));
      return bearerCallerJson(principal, credential, principal === auth.anonymous);
    });

    app.delete('/sessions/current', routeOptions('deleteSession'), async (request, reply) => {
      const browser = request.browserSession;
      if (browser) {
        await service().revoke(browser.record.id);
        logger.info({ session: browser.record.id, principal: browser.record.principalId }, 'signed out');
      }
      reply.header('set-cookie', clearedSessionCookieHeader(overHttps(request)));
      return { ok: true as const };
    });
  };
}
