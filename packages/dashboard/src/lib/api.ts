// The dashboard's only way to the platform: the public API under /api/v1, with the session
// cookie the gateway set at sign-in (the browser sends it; scripts never see it).
import type { components } from '../../../sdk/src/generated/openapi';

export type Schemas = components['schemas'];

/** An answer of the API that was not 2xx: the error body's stable code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const API = '/api/v1';

/** The session's CSRF token, sent on every request that changes something. */
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when any request answers 401: the session is gone (signed out elsewhere, expired). */
let onUnauthenticated: () => void = () => {};
export function whenUnauthenticated(callback: () => void): void {
  onUnauthenticated = callback;
}

export type Query = Record<string, string | number | boolean | readonly string[] | undefined | null>;

/** `?a=1&b=x`, leaving out empty values; arrays repeat the key. */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface RequestOptions {
  query?: Query;
  /** JSON body; or raw bytes (a file upload) with `contentType`. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.code)
      return new ApiError(response.status, body.error.code, body.error.message ?? body.error.code);
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  return new ApiError(response.status, `HTTP_${response.status}`, text.slice(0, 200) || response.statusText);
}

/** One API call; resolves to the parsed JSON answer (undefined for 204), throws ApiError. */
export async function call<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let body: BodyInit | undefined;
  if (options.contentType) {
    headers['content-type'] = options.contentType;
    body = options.body as BodyInit;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${API}${path}${queryString(options.query)}`, {
    method,
    headers,
    body,
    credentials: 'same-origin',
    signal: options.signal,
  });
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && path !== '/sessions') onUnauthenticated();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) =>
  call<T>('GET', path, { query, signal });
export const post = <T>(path: string, body?: unknown, query?: Query) =>
  call<T>('POST', path, { body, query });
export const del = <T>(path: string, query?: Query) => call<T>('DELETE', path, { query });

/** An id or name as one path segment. */
export const seg = (value: string) => encodeURIComponent(value);

/** The WebSocket URL of an API path on this origin (the cookie goes with the upgrade). */
export function socketUrl(path: string, query?: Query): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${API}${path}${queryString(query)}`;
}
