import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WireError } from '../../core/errors.js';
import type { LiveEventType } from '../../core/live-events.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeSchema } from '../route-schema.js';
import { type EventStreamMessage, eventStream } from '../streaming/event-stream.js';
import type { StreamRunner } from '../streaming/run-stream.js';
import { sseTransport } from '../streaming/sse-transport.js';
import { errorClose, type StreamTransport } from '../streaming/transport.js';
import { websocketTransport } from '../streaming/websocket-transport.js';

/**
 * How long a dropped slow client has to take its last message and the close before its
 * connection is cut: one that reads slowly learns why; one that reads nothing holds nothing.
 */
const DROP_GRACE_MS = 2_000;

/**
 * Ends a slow client's stream on its wire: the error and the close are queued behind what it has
 * not read yet, and `cut` tears the connection down if it has not taken them within the grace.
 */
function dropper(transport: StreamTransport<EventStreamMessage>, cut: () => void) {
  return (error: WireError): void => {
    transport.send({ type: 'error', ...error }).catch(() => {});
    transport.end(errorClose(error.code));
    setTimeout(cut, DROP_GRACE_MS).unref();
  };
}

/**
 * `GET /events`: registered inside the scope that holds the websocket plugin (routes/stream.ts),
 * as the log tail is: a second registration of that plugin would answer every upgrade twice.
 */
export function eventStreamRoutes(deps: GatewayDeps, run: StreamRunner): FastifyPluginAsyncZod {
  return async (app) => {
    const feed = deps.services.liveEvents;
    const prepared = new WeakMap<FastifyRequest, ReadonlySet<LiveEventType>>();
    app.route({
      method: 'GET',
      url: '/events',
      exposeHeadRoute: false,
      schema: routeSchema('streamEvents'),
      // Before the upgrade: an unknown type is a 400, worker events without an admin key a 403.
      preHandler: async (request) => {
        prepared.set(request, feed.typesFor(accessFor(request), request.query.types));
      },
      handler: async (request, reply) => {
        const transport = sseTransport<EventStreamMessage>(reply);
        const drop = dropper(transport, () => reply.raw.destroy());
        run(eventStream(feed, accessFor(request), { types: prepared.get(request)!, drop }), transport);
        return reply;
      },
      wsHandler: (socket, request) => {
        const transport = websocketTransport<EventStreamMessage>(socket);
        const drop = dropper(transport, () => socket.terminate());
        run(eventStream(feed, accessFor(request), { types: prepared.get(request)!, drop }), transport);
      },
    });
  };
}
