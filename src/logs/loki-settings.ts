/** Where Loki is and how to speak to it (config: `logging.loki_*`). */
export interface LokiSettings {
  /** Base URL, e.g. `http://loki:3100`; the API paths are added to it. */
  url: string;
  /** Sent as `X-Scope-OrgID` (multi-tenant Loki); empty = none. */
  tenant: string;
  /** `user:password` for HTTP basic auth; empty = none. */
  basicAuth: string;
  /** A request that takes longer is abandoned (a push is then retried), ms. */
  timeoutMs: number;
}

export function lokiHeaders(settings: LokiSettings): Record<string, string> {
  const headers: Record<string, string> = {};
  if (settings.tenant) headers['x-scope-orgid'] = settings.tenant;
  if (settings.basicAuth)
    headers.authorization = `Basic ${Buffer.from(settings.basicAuth).toString('base64')}`;
  return headers;
}

export function lokiEndpoint(settings: LokiSettings, path: string): URL {
  return new URL(settings.url.replace(/\/+$/, '') + path);
}
