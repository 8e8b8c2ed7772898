import type { FastifyInstance } from 'fastify';

/** How often a closing gateway looks whether its server has stopped listening yet, ms. */
const CLOSE_CHECK_MS = 50;

/**
 * Lets a closing gateway end: once its server has stopped listening and no HTTP request is in
 * flight any more, every connection left is closed.
 *
 * Node's `server.close()` waits for every connection, and `closeIdleConnections()` (what Fastify
 * runs on close) leaves out a connection on which no request has arrived yet: Node counts it as
 * active, to time slow clients out, and stops timing anything out once closed. A client's spare
 * connection (undici may open one after an aborted request; balancers pre-open them) would hold
 * the close for as long as the client keeps it, a minute or more. Requests still being answered,
 * and upgraded WebSockets (their own close ends them), are left alone.
 */
export function closeConnectionsWhenDrained(app: FastifyInstance): void {
  const { server } = app;
  let inFlight = 0;
  let closing = false;
  let check: NodeJS.Timeout | undefined;
  const closeIfDrained = () => {
    if (!closing || server.listening || inFlight > 0) return;
    clearInterval(check);
    server.closeAllConnections();
  };
  server.on('request', (_request, response) => {
    inFlight += 1;
    response.once('close', () => {
      inFlight -= 1;
      closeIfDrained();
    });
  });
  // Fastify stops the server after every preClose hook has run (streams get a grace there to send
  // their last message); until then, new connections are still accepted and must not be cut.
  app.addHook('preClose', async () => {
    closing = true;
    check = setInterval(closeIfDrained, CLOSE_CHECK_MS).unref();
  });
  server.once('close', () => clearInterval(check));
}
