import type { FastifyReply } from 'fastify';
import { streamedBody } from './streamed-body.js';
import type { StreamTransport, TransportOptions } from './transport.js';

/** A stream as NDJSON on `reply`: one JSON line per message; a blank line is a keep-alive. */
export function ndjsonTransport<M>(reply: FastifyReply, options: TransportOptions = {}): StreamTransport<M> {
  const body = streamedBody(reply, 'application/x-ndjson', '\n', options.keepAliveMs);
  return {
    gone: body.gone,
    send: (message) => body.write(`${JSON.stringify(message)}\n`),
    end: () => body.end(),
  };
}
