/**
 * How long a client may take to send its request. A JSON request must arrive whole within the
 * deadline (a client trickling bytes cannot hold a connection forever). A streamed upload may take
 * as long as it needs, but may not stall: its connection is cut after the same time without a
 * byte. Node's own `requestTimeout` cannot tell the two apart, so the gateway keeps it off and
 * does this instead.
 */
import type { FastifyInstance } from 'fastify';

/** Route config of a route whose request body is a byte stream (see ApiRouteSpec.streamedBody). */
export const STREAMED_BODY_ROUTE = { streamedBody: true } as const;
/**
 * Route config of a proxy route (gateway/proxy): its answer may last for hours and its body
 * follows the streamed rule only until it has arrived, which the proxy enforces itself.
 */
export const PROXIED_ROUTE = { proxied: true } as const;

export function installRequestDeadline(app: FastifyInstance, deadlineMs: number): void {
  app.addHook('onRequest', async (request, reply) => {
    const raw = request.raw;
    const socket = raw.socket;
    if ((request.routeOptions.config as { proxied?: boolean } | undefined)?.proxied) return;
    if ((request.routeOptions.config as { streamedBody?: boolean } | undefined)?.streamedBody) {
      // An injected request (tests, in-process callers) has no real socket to watch.
      if (typeof socket?.setTimeout !== 'function') return;
      const idle = () => socket.destroy();
      socket.setTimeout(deadlineMs, idle);
      reply.raw.once('close', () => {
        socket.setTimeout(0);
        socket.off('timeout', idle);
      });
      return;
    }
    if (raw.complete) return;
    const timer = setTimeout(() => {
      if (!raw.complete) socket.destroy();
    }, deadlineMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    raw.once('end', clear);
    reply.raw.once('close', clear);
  });
}
