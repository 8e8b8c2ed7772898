/**
 * Upgrade requests (WebSockets) reach routes through Fastify's router like any request: the
 * websocket plugin (routes/stream.ts) routes every upgrade the server gets, and a route outside
 * its scope, such as the proxy's, gets the request as is, with the raw connection as its socket.
 * What Node read past the request's headers (`head`, the first bytes of the new protocol) is only
 * in the server's 'upgrade' event: kept here for the proxy, which passes it on to the app.
 */
import type { IncomingMessage, Server } from 'node:http';

const heads = new WeakMap<IncomingMessage, Buffer>();

/** Keeps each upgrade's head; runs before any other listener of the server's 'upgrade' event. */
export function keepUpgradeHeads(server: Server): void {
  server.prependListener('upgrade', (request: IncomingMessage, _socket, head: Buffer) => {
    heads.set(request, head);
  });
}

/** The bytes read past an upgrade request's headers; undefined for a request that is no upgrade. */
export function upgradeHeadOf(request: IncomingMessage): Buffer | undefined {
  return heads.get(request);
}
