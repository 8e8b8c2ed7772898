/**
 * Preview-domain hosts are routed by host before any path is looked at: a request to
 * `<port>-<vm id>.<domain>` is the app's whatever its path (its own `/api/v1/...` included), so
 * the router is handed it under an internal prefix that only this rewrite can send it to.
 */
import type { IncomingMessage } from 'node:http';
import { isUnderPreviewDomain, normalDomain } from './preview-addresses.js';

/** The internal route preview-domain requests are routed to. */
export const PREVIEW_HOST_ROUTE = '/_aether/preview-host';

const rewritten = new WeakSet<IncomingMessage>();

/**
 * Fastify's `rewriteUrl` for a gateway with a preview domain. Only the Host header decides (a
 * proxy in front must pass it on as the client sent it).
 */
export function previewHostRewriter(domain: string): (request: IncomingMessage) => string {
  const normal = normalDomain(domain);
  return (request) => {
    const url = request.url ?? '/';
    if (!isUnderPreviewDomain(request.headers.host, normal)) return url;
    rewritten.add(request);
    return `${PREVIEW_HOST_ROUTE}${url.startsWith('/') ? url : `/${url}`}`;
  };
}

/** Whether the router got this request from the rewrite (not a client asking for the internal path). */
export function isRewrittenPreviewHost(request: IncomingMessage): boolean {
  return rewritten.has(request);
}
