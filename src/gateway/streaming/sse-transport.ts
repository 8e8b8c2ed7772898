import type { FastifyReply } from 'fastify';
import { streamedBody } from './streamed-body.js';
import type { StreamTransport, TransportOptions } from './transport.js';

export interface SseOptions<M> extends TransportOptions {
  /** The event id of a message, which a reconnecting EventSource sends back as `Last-Event-ID`. */
  idOf?: (message: M) => string | undefined;
  /** The reconnection delay announced to the client (`retry:`), if any. */
  retryMs?: number;
}

/**
 * One SSE event per message, named by its type; the JSON holds no newline, so it is one `data:`
 * line.
 */
export function sseEvent(message: { type: string }, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`;
}

/** A stream as Server-Sent Events on `reply`. */
export function sseTransport<M extends { type: string }>(
  reply: FastifyReply,
  options: SseOptions<M> = {},
): StreamTransport<M> {
  const body = streamedBody(
    reply,
    'text/event-stream; charset=utf-8',
    ': keep-alive\n\n',
    options.keepAliveMs,
  );
  if (options.retryMs !== undefined) void body.write(`retry: ${options.retryMs}\n\n`).catch(() => {});
  return {
    gone: body.gone,
    send: (message) => body.write(sseEvent(message, options.idOf?.(message))),
    end: () => body.end(),
  };
}
