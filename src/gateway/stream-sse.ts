import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { StreamMessage } from './stream-messages.js';
import type { StreamSink } from './stream-session.js';

/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;
/** Reconnection delay a browser's EventSource uses after a drop. */
const RETRY_MS = 2_000;

/**
 * One SSE event: chunks carry `id: <seq>`, so a reconnecting EventSource resumes with
 * `Last-Event-ID`. The JSON holds no newline, so it is one `data:` line.
 */
export function sseEvent(message: StreamMessage): string {
  const id = message.type === 'chunk' ? `id: ${message.seq}\n` : '';
  return `${id}event: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`;
}

/**
 * Starts an SSE answer on `reply` and returns its sink. The body is a stream Fastify sends, so
 * the request stays in Fastify's lifecycle (logging, close waiting for it to end).
 */
export function sseSink(reply: FastifyReply): StreamSink {
  const out = new PassThrough();
  const gone = new AbortController();
  // The response's close: the client left, or the answer ended (then nothing is listening).
  reply.raw.once('close', () => gone.abort());
  reply
    .status(200)
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-store')
    // Proxies such as nginx would otherwise hold events back to fill a buffer.
    .header('x-accel-buffering', 'no');
  void reply.send(out);
  out.write(`retry: ${RETRY_MS}\n\n`);
  const keepalive = setInterval(() => out.write(': keep-alive\n\n'), KEEPALIVE_MS);
  return {
    gone: gone.signal,
    async send(message) {
      if (gone.signal.aborted) throw new Error('client gone');
      if (!out.write(sseEvent(message))) {
        await once(out, 'drain', { signal: gone.signal });
      }
    },
    end() {
      clearInterval(keepalive);
      out.end();
    },
  };
}
