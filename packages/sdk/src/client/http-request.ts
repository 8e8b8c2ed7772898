/**
 * One HTTP request on node:http(s), for the client. Not `fetch`: Node compiles its fetch
 * implementation (undici) on the first call, which costs a short-lived process such as the
 * `aether` CLI more than the rest of its start-up together; node:http is already loaded.
 */
import { once } from 'node:events';
import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

export interface HttpRequestInit {
  method: string;
  headers: Record<string, string>;
  /**
   * Sent whole (with a content-length), or streamed chunk by chunk as the connection takes it
   * (chunked), never read ahead: a slow gateway slows the source.
   */
  body?: string | Uint8Array | AsyncIterable<Uint8Array> | undefined;
  signal?: AbortSignal | undefined;
}

/** An answer whose body is read once: as text, as JSON, or as a stream of bytes. */
export interface HttpAnswer {
  status: number;
  /** 2xx. */
  ok: boolean;
  headers: IncomingHttpHeaders;
  /** The body as it arrives; aborting the request's signal ends it with an error. */
  body: Readable;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/**
 * A streamed request body failed on our side (a local file could not be read): the request was
 * cut, and this carries the source's own error rather than a network one.
 */
export class RequestBodyError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RequestBodyError';
  }
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
    headers: res.headers,
    body: res,
    text,
    json: async () => JSON.parse(await text()) as unknown,
  };
}

function isStreamed(body: HttpRequestInit['body']): body is AsyncIterable<Uint8Array> {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

/**
 * Writes `source` into the request, waiting for each write to drain. Stops early, without an
 * error, once the gateway has answered: an early answer is a refusal, and the rest of the body
 * would only be thrown away.
 */
async function pump(
  req: ClientRequest,
  source: AsyncIterable<Uint8Array>,
  answered: () => boolean,
): Promise<void> {
  for await (const chunk of source) {
    if (answered() || req.destroyed) return;
    if (!req.write(chunk)) await once(req, 'drain');
  }
  req.end();
}

/** Resolves once the answer's head has arrived; rejects when the request cannot be made. */
export async function httpRequest(url: URL, init: HttpRequestInit): Promise<HttpAnswer> {
  // TLS loads only for an https gateway.
  const transport = url.protocol === 'https:' ? (await import('node:https')).default : http;
  const headers: Record<string, string | number> = { ...init.headers };
  const streamed = isStreamed(init.body) ? init.body : undefined;
  const whole = streamed ? undefined : (init.body as string | Uint8Array | undefined);
  if (whole !== undefined) headers['content-length'] = Buffer.byteLength(whole);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = transport.request(url, {
      method: init.method,
      headers,
      ...(init.signal ? { signal: init.signal } : {}),
    });
    let sent = !streamed;
    req.once('response', (res) => {
      answered = true;
      // An answer before the whole body went out: once it has been read, the connection goes,
      // rather than ending the body early and so making a cut upload look whole.
      if (!sent) res.once('close', () => req.destroy());
      resolve(answerOf(res));
    });
    // Once answered, a failure of the rest of the upload (the gateway closed a refused one) is
    // not the caller's news: the answer is.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (!streamed) {
      req.end(whole);
      return;
    }
    pump(req, streamed, () => answered).then(
      () => {
        sent = true;
      },
      (error: unknown) => {
        if (answered || req.destroyed) return;
        const failure = new RequestBodyError(error);
        req.destroy(failure);
        reject(failure);
      },
    );
  });
}
