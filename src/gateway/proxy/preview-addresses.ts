/**
 * Where previews live: the path `/preview/<token>/` on the gateway, or with a preview domain the
 * host `<port>-<vm id>.<domain>`; where the gateway itself is, as clients reach it; and the URL a
 * new preview is handed out as.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { PreviewSettings } from '../context.js';

/** Path-prefix previews: `/preview/<token>/<path of the app>`. */
export const PREVIEW_PATH = '/preview';
/** A token given once in the query of a preview-domain URL (then kept in a cookie). */
export const PREVIEW_QUERY_TOKEN = 'aether_token';
/** A token sent on every request to a preview-domain host. */
export const PREVIEW_TOKEN_HEADER = 'x-aether-preview-token';
/** The cookie holding a preview-domain host's token, on that host only. */
export const PREVIEW_COOKIE = 'aether_preview';

/** The app a preview-domain host names. */
export interface PreviewHost {
  port: number;
  vmId: string;
}

const PREVIEW_LABEL = /^([1-9][0-9]{0,4})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** `preview.example.com` as configured: lowercase, without dots around it. */
export function normalDomain(domain: string): string {
  return domain
    .trim()
    .toLowerCase()
    .replace(/^\.+|\.+$/g, '');
}

/** The host of a Host header, lowercase and without its port. */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]*)\]/.exec(host);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return host.replace(/:\d*$/, '').toLowerCase();
}

/** Whether `host` is under the preview domain: such a host is never the API, whatever its path. */
export function isUnderPreviewDomain(host: string | undefined, domain: string): boolean {
  return host !== undefined && hostName(host).endsWith(`.${domain}`);
}

/** The app a host under the preview domain names; null for one that names none. */
export function parsePreviewHost(host: string, domain: string): PreviewHost | null {
  const name = hostName(host);
  const label = name.slice(0, -(domain.length + 1));
  const match = PREVIEW_LABEL.exec(label);
  if (!match || `${label}.${domain}` !== name) return null;
  const port = Number(match[1]);
  return port <= 65_535 ? { port, vmId: match[2]! } : null;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first?.split(',')[0]?.trim() || undefined;
}

/** `https` when the client's connection was TLS, at the gateway or at a proxy in front (X-Forwarded-Proto). */
export function requestProtocol(raw: IncomingMessage): 'http' | 'https' {
  const forwarded = firstValue(raw.headers['x-forwarded-proto'])?.toLowerCase();
  if (forwarded === 'https' || forwarded === 'http') return forwarded;
  return (raw.socket as TLSSocket | undefined)?.encrypted ? 'https' : 'http';
}

/** The host the client asked for (X-Forwarded-Host from a proxy in front, else Host). */
export function requestHost(headers: IncomingHttpHeaders): string | undefined {
  return firstValue(headers['x-forwarded-host']) ?? headers.host;
}

/** The URL a new preview is handed out as (the token inside it is its credential). */
export function previewUrl(
  settings: PreviewSettings,
  raw: IncomingMessage,
  preview: { token: string; port: number; vmId: string },
): string {
  const publicUrl = settings.publicUrl ? new URL(settings.publicUrl) : undefined;
  const protocol = publicUrl ? publicUrl.protocol.slice(0, -1) : requestProtocol(raw);
  if (settings.domain) {
    // The gateway's port, as clients reach it (none behind a proxy on 443).
    const port = publicUrl ? publicUrl.port : /:(\d+)$/.exec(requestHost(raw.headers) ?? '')?.[1];
    const host = `${preview.port}-${preview.vmId}.${normalDomain(settings.domain)}${port ? `:${port}` : ''}`;
    return `${protocol}://${host}/?${PREVIEW_QUERY_TOKEN}=${preview.token}`;
  }
  const base = publicUrl
    ? publicUrl.href.replace(/\/+$/, '')
    : `${protocol}://${requestHost(raw.headers) ?? 'localhost'}`;
  return `${base}${PREVIEW_PATH}/${preview.token}/`;
}
