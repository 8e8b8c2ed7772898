/**
 * What keeps another site from using a browser's session cookie. The cookie is SameSite=Strict,
 * which keeps it off other sites' requests but not off those of a sibling host of the same site
 * (`*.example.com`); so a request the cookie authenticates must also come from the gateway's own
 * origin (`Origin`, `Sec-Fetch-Site`: this covers WebSocket upgrades, which carry no custom
 * header), and an unsafe one must carry the session's CSRF token, which only a page of this
 * origin can read. Bearer-authenticated requests are not concerned: no browser sends those by
 * itself.
 */
import type { FastifyRequest } from 'fastify';
import { AetherError } from '../../core/errors.js';

export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `Sec-Fetch-Site` values of requests this origin's own pages make, or the user typed. */
const OWN_FETCH_SITES = new Set(['same-origin', 'none']);

function lowerHost(host: string | string[] | undefined): string | undefined {
  const first = Array.isArray(host) ? host[0] : host;
  return first?.split(',')[0]?.trim().toLowerCase() || undefined;
}

/** The hosts of `origins` (`https://aether.example.com` → `aether.example.com`), lowercase. */
export function hostsOf(origins: readonly string[]): string[] {
  return origins.map((origin) => new URL(origin).host.toLowerCase());
}

/**
 * Whether the request's `Origin` (when it has one) is the gateway itself: the host the request
 * was sent to, or one of `trustedHosts` (the public URL's, behind a proxy that rewrites Host).
 */
export function comesFromOwnOrigin(request: FastifyRequest, trustedHosts: readonly string[]): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (typeof fetchSite === 'string' && !OWN_FETCH_SITES.has(fetchSite.toLowerCase())) return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  let host: string;
  try {
    // `null` (a sandboxed frame, a file) and anything else that is not a URL fail here.
    host = new URL(origin).host.toLowerCase();
  } catch {
    return false;
  }
  if (host === '') return false;
  return (
    host === lowerHost(request.headers.host) ||
    // The host a proxy in front was asked for (a browser cannot set this header on its own).
    host === lowerHost(request.headers['x-forwarded-host']) ||
    trustedHosts.includes(host)
  );
}

/** Refuses a cross-site request: from another origin, or unsafe without the CSRF token. */
export function refuseCrossSite(
  request: FastifyRequest,
  trustedHosts: readonly string[],
  csrfTokenMatches: (given: string) => boolean,
): void {
  if (!comesFromOwnOrigin(request, trustedHosts)) {
    throw new AetherError(
      'ERR_CSRF',
      `a request authenticated by the session cookie must come from the gateway's own pages, not another origin; from elsewhere, send "Authorization: Bearer <token>" instead of the cookie`,
    );
  }
  if (SAFE_METHODS.has(request.method)) return;
  const given = request.headers[CSRF_HEADER];
  if (typeof given !== 'string' || !csrfTokenMatches(given)) {
    throw new AetherError(
      'ERR_CSRF',
      `a ${request.method} authenticated by the session cookie must carry the session's CSRF token as the "${CSRF_HEADER}" header: it is csrf_token in the answer of POST /api/v1/sessions and of GET /api/v1/sessions/current`,
    );
  }
}
