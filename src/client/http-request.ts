/**
 * One HTTP request on node:http(s), for the client. Not `fetch`: Node compiles its fetch
 * implementation (undici) on the first call, which costs a short-lived process such as the
 * `aether` CLI more than the rest of its start-up together; node:http is already loaded.
 */
import http, { type IncomingMessage } from 'node:http';

export interface HttpRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | undefined;
  signal?: AbortSignal | undefined;
}

/** An answer whose body is read once: as text, as JSON, or as a stream of bytes. */
export interface HttpAnswer {
  status: number;
  /** 2xx. */
  ok: boolean;
  /** The body as it arrives; aborting the request's signal ends it with an error. */
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

function answerOf(res: IncomingMessage): HttpAnswer {
  const status = res.statusCode ?? 0;
  const text = async () => {
    const parts: Buffer[] = [];
    for await (const part of res) parts.push(part as Buffer);
    return Buffer.concat(parts).toString('utf8');
  };
  return {
    status,
    ok: status >= 200 && status < 300,
    body: res,
    text,
    json: async () => JSON.parse(await text()) as unknown,
  };
}

/** Resolves once the answer's head has arrived; rejects when the request cannot be made. */
export async function httpRequest(url: URL, init: HttpRequestInit): Promise<HttpAnswer> {
  // TLS loads only for an https gateway.
  const transport = url.protocol === 'https:' ? (await import('node:https')).default : http;
  const headers: Record<string, string | number> = { ...init.headers };
  if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
  return new Promise((resolve, reject) => {
    const req = transport.request(url, {
      method: init.method,
      headers,
      ...(init.signal ? { signal: init.signal } : {}),
    });
    req.once('response', (res) => resolve(answerOf(res)));
    req.once('error', reject);
    req.end(init.body);
  });
}
