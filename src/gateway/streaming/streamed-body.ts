import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { keepAlive } from './keep-alive.js';

/** A text body written while the request lasts: what the SSE and NDJSON wires share. */
export interface StreamedBody {
  /** Resolves once written (waiting for the client to drain); rejects if it is gone. */
  write(text: string): Promise<void>;
  end(): void;
  /** Aborted when the client goes away. */
  readonly gone: AbortSignal;
}

/**
 * Starts a 200 answer on `reply` whose body is written as the stream goes, `idle` written at each
 * keep-alive. The body is a stream Fastify sends, so the request stays in Fastify's lifecycle
 * (logging, close waiting for it to end).
 */
export function streamedBody(
  reply: FastifyReply,
  contentType: string,
  idle: string,
  keepAliveMs?: number,
): StreamedBody {
  const out = new PassThrough();
  const gone = new AbortController();
  // The response's close: the client left, or the answer ended (then nothing is listening).
  reply.raw.once('close', () => gone.abort());
  reply
    .status(200)
    .header('content-type', contentType)
    .header('cache-control', 'no-store')
    // Proxies such as nginx would otherwise hold the stream back to fill a buffer.
    .header('x-accel-buffering', 'no');
  void reply.send(out);
  const stopKeepAlive = keepAlive(() => out.write(idle), keepAliveMs);
  return {
    gone: gone.signal,
    async write(text) {
      if (gone.signal.aborted) throw new Error('client gone');
      if (!out.write(text)) await once(out, 'drain', { signal: gone.signal });
    },
    end() {
      stopKeepAlive();
      out.end();
    },
  };
}
