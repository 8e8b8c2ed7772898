/**
 * An upgrade (WebSocket) forwarded to an app inside a VM: the client's request is written to the
 * app's connection as raw HTTP/1.1, then the two connections are joined byte for byte both ways.
 * The app answers the handshake itself (101, or a refusal), so any subprotocol or extension it
 * speaks passes unchanged. Either side closing closes the other.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AetherError } from '../../core/errors.js';
import type { AppExchange } from './app-exchange.js';

export async function forwardUpgrade(
  request: FastifyRequest,
  reply: FastifyReply,
  exchange: AppExchange,
  head: Buffer,
): Promise<void> {
  const socket = request.raw.socket;
  const gone = new AbortController();
  socket.once('close', () => gone.abort(new AetherError('ERR_TRANSFER_ABORTED', 'the client went away')));
  const tunnel = await exchange.open(gone.signal);
  reply.hijack();
  if (socket.destroyed) {
    tunnel.destroy();
    return;
  }
  tunnel.write(requestHead(request.raw.method ?? 'GET', exchange.path, exchange.headers));
  if (head.length > 0) tunnel.write(head);
  // Whatever waits (the app's connection idles out at the worker) is not the gateway's to cut.
  socket.setTimeout(0);
  join(socket, tunnel);
}

/** The request line and headers; values come from Node's parser, which refuses CR and LF in them. */
function requestHead(method: string, path: string, headers: OutgoingHttpHeaders): string {
  const lines = [`${method} ${path} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${one}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Pipes both ways (each end passed on as a half-close); an error or a close on one destroys both. */
function join(client: Duplex, app: Duplex): void {
  client.pipe(app);
  app.pipe(client);
  const destroyBoth = () => {
    client.destroy();
    app.destroy();
  };
  client.once('error', destroyBoth);
  app.once('error', destroyBoth);
  client.once('close', destroyBoth);
  app.once('close', destroyBoth);
}
