import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { LogStreamMessage } from '../../api/types.js';
import { logFilterFor, requireLogReader } from '../../service/logs/log-access.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeSchema } from '../route-schema.js';
import { logStream } from '../streaming/log-stream.js';
import type { StreamRunner, StreamSpec } from '../streaming/run-stream.js';
import { sseTransport } from '../streaming/sse-transport.js';
import { websocketTransport } from '../streaming/websocket-transport.js';
import { logFieldsOf } from './logs.js';

const DEFAULT_BACKLOG = 50;
/** How often a tail reads the logs for new lines. */
const POLL_INTERVAL_MS = 1000;

/**
 * `GET /logs/stream`: registered inside the scope that holds the websocket plugin (routes/stream.ts):
 * a second registration of that plugin would answer every upgrade twice.
 */
export function logStreamRoutes(deps: GatewayDeps, run: StreamRunner): FastifyPluginAsyncZod {
  return async (app) => {
    const prepared = new WeakMap<FastifyRequest, StreamSpec<LogStreamMessage>>();
    app.route({
      method: 'GET',
      url: '/logs/stream',
      exposeHeadRoute: false,
      schema: routeSchema('streamLogs'),
      // Before the upgrade: bad filters and unknown VMs are plain 4xx answers with their code.
      preHandler: async (request) => {
        const reader = requireLogReader(deps.logs);
        const { query } = request;
        const filter = await logFilterFor(
          (access, vm) => deps.services.vms.get(access, vm),
          accessFor(request),
          logFieldsOf(query),
        );
        const backlog = query.backlog ?? DEFAULT_BACKLOG;
        prepared.set(request, logStream(reader, filter, { backlog, pollIntervalMs: POLL_INTERVAL_MS }));
      },
      handler: async (request, reply) => {
        run(prepared.get(request)!, sseTransport(reply));
        return reply;
      },
      wsHandler: (socket, request) => {
        run(prepared.get(request)!, websocketTransport(socket));
      },
    });
  };
}
