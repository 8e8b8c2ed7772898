import { AetherError } from '../core/errors.js';

/** How long one call to GitHub or Slack may take. */
export const CALL_TIMEOUT_MS = 15_000;

/** The outcome of an integration's latest call out, for its health. */
export class CallRecord {
  private last: { ok: boolean; message: string; at: Date } | null = null;

  succeeded(what: string): void {
    this.last = { ok: true, message: what, at: new Date() };
  }

  failed(what: string, error: unknown): void {
    this.last = {
      ok: false,
      message: `${what}: ${error instanceof Error ? error.message : String(error)}`,
      at: new Date(),
    };
  }

  /** `null` before the first call. */
  latest(): { ok: boolean; message: string; at: Date } | null {
    return this.last;
  }
}

/**
 * One JSON call to a third-party API. A non-2xx answer becomes ERR_INTEGRATION_FAILED naming the
 * method, the path and the status (never the headers: they carry the token).
 */
export async function callJson<T>(
  integration: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown },
): Promise<T> {
  const shown = `${init.method} ${new URL(url).pathname}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: {
        accept: 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new AetherError('ERR_INTEGRATION_FAILED', `${integration}: ${shown} did not answer (${cause})`, {
      details: { integration },
    });
  }
  const text = await res.text();
  if (!res.ok) {
    throw new AetherError(
      'ERR_INTEGRATION_FAILED',
      `${integration}: ${shown} answered ${res.status}: ${text.slice(0, 200)}`,
      { details: { integration, status: res.status } },
    );
  }
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new AetherError('ERR_INTEGRATION_FAILED', `${integration}: ${shown} answered with no JSON`, {
      details: { integration, status: res.status },
    });
  }
}
