import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { LogFilter } from '../../core/logs.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { logFilterFor, logReaderOf } from '../log-filter.js';
import { type LogTailSink, logSseSink, logWebsocketSink, runLogTail } from '../log-tail.js';
import { routeSchema } from '../route-schema.js';

const DEFAULT_BACKLOG = 50;

export interface LogStreamOptions {
  /** Aborted when the gateway closes: tails end with ERR_SHUTTING_DOWN. */
  closing: AbortSignal;
  /** Tails in flight, for the gateway's close to wait on. */
  sessions: Set<Promise<void>>;
  pollIntervalMs?: number;
}

/**
 * `GET /logs/stream`: registered inside the scope that holds the websocket plugin (routes/stream.ts):
 * a second registration of that plugin would answer every upgrade twice.
 */
export function logStreamRoutes(deps: GatewayDeps, options: LogStreamOptions): FastifyPluginAsyncZod {
  return async (app) => {
    const prepared = new WeakMap<FastifyRequest, { filter: LogFilter; backlog: number }>();
    const run = (request: FastifyRequest, sink: LogTailSink) => {
      const { filter, backlog } = prepared.get(request)!;
      const tail = runLogTail(
        logReaderOf(deps),
        filter,
        { backlog, pollIntervalMs: options.pollIntervalMs ?? 1000, closing: options.closing },
        sink,
      );
      options.sessions.add(tail);
      void tail.finally(() => options.sessions.delete(tail));
    };
    app.route({
      method: 'GET',
      url: '/logs/stream',
      exposeHeadRoute: false,
      schema: routeSchema('streamLogs'),
      // Before the upgrade: bad filters and unknown VMs are plain 4xx answers with their code.
      preHandler: async (request) => {
        logReaderOf(deps);
        const { query } = request;
        const filter = await logFilterFor(deps, accessFor(request), query);
        prepared.set(request, { filter, backlog: query.backlog ?? DEFAULT_BACKLOG });
      },
      handler: async (request, reply) => {
        run(request, logSseSink(reply));
        return reply;
      },
      wsHandler: (socket, request) => {
        run(request, logWebsocketSink(socket));
      },
    });
  };
}
