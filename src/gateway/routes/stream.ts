import { setTimeout as sleep } from 'node:timers/promises';
import websocket from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { lastEventIdHeader } from '../../api/stream.js';
import { AetherError, isAetherError } from '../../core/errors.js';
import type { ExecutionRecord } from '../../core/execution.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeSchema } from '../route-schema.js';
import type { ExecutionSource } from '../stream-follow.js';
import { runStreamSession, type StreamSink } from '../stream-session.js';
import { sseSink } from '../stream-sse.js';
import { websocketSink } from '../stream-websocket.js';
import { logStreamRoutes } from './log-stream.js';

/** How long a closing gateway waits for its streams to send their last message. */
const CLOSE_GRACE_MS = 1000;

export interface StreamRouteOptions {
  /** How often a stream reads the store when no event comes (lost events); default 2 000 ms. */
  pollIntervalMs?: number;
}

/**
 * The one place streams read through the service, with the caller's access: an execution of
 * another project is "not found", before the upgrade and on every read after it.
 */
function executionSource(deps: GatewayDeps, request: FastifyRequest, id: string): ExecutionSource {
  const access = accessFor(request);
  return {
    execution: () => deps.service.getExecution(access, id),
    chunks: (execution, afterSeq, limit) => deps.service.readExecutionOutput(execution, { afterSeq, limit }),
    async task(execution) {
      if (!execution.taskId) return null;
      try {
        const task = await deps.service.getTask(access, execution.taskId);
        return { status: task.status, error: task.error };
      } catch (error) {
        if (isAetherError(error, 'ERR_TASK_NOT_FOUND')) return null;
        throw error;
      }
    },
  };
}

/** The resume point: `after_seq`, or a reconnecting EventSource's `Last-Event-ID` if later. */
function resumeAfter(request: FastifyRequest, afterSeq: number | undefined): number {
  const header = request.headers['last-event-id'];
  if (header === undefined) return afterSeq ?? 0;
  const parsed = lastEventIdHeader.safeParse(Array.isArray(header) ? header.at(-1) : header);
  if (!parsed.success) {
    throw new AetherError('ERR_VALIDATION', `header Last-Event-ID: ${parsed.error.issues[0]?.message}`);
  }
  return Math.max(parsed.data, afterSeq ?? 0);
}

/**
 * `GET /executions/{id}/stream`: an execution's output live, as a WebSocket (upgrade) or as
 * Server-Sent Events (any other GET, e.g. `Accept: text/event-stream`). Credentials come from the
 * gateway's own onRequest hook like everywhere else — `Authorization: Bearer`, or for browsers,
 * which cannot set that header here, `?access_token=` — and apply before the upgrade.
 */
export function streamRoutes(deps: GatewayDeps, options: StreamRouteOptions = {}): FastifyPluginAsyncZod {
  return async (app) => {
    // Streams end themselves when the gateway closes, each with an ERR_SHUTTING_DOWN error, which
    // this hook gives them a moment to send. It runs before the websocket plugin's own, registered
    // after it, which drops every socket that is left.
    const closing = new AbortController();
    const sessions = new Set<Promise<void>>();
    app.addHook('preClose', async () => {
      closing.abort();
      await Promise.race([
        Promise.allSettled([...sessions]),
        sleep(CLOSE_GRACE_MS, undefined, { ref: false }),
      ]);
    });
    // Registered here, not on the whole gateway: it changes how every route of its scope is
    // dispatched. Clients send nothing on this stream, hence the tiny frame limit.
    await app.register(websocket, { options: { maxPayload: 1024 } });
    const sessionDeps = {
      events: deps.events,
      logger: deps.logger,
      closing: deps.closing ? AbortSignal.any([deps.closing, closing.signal]) : closing.signal,
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    };
    // The log tail shares this scope's websocket plugin (one per server) and its close handling.
    await app.register(logStreamRoutes(deps, { closing: sessionDeps.closing, sessions }));
    const run = (source: ExecutionSource, execution: ExecutionRecord, afterSeq: number, sink: StreamSink) => {
      const session = runStreamSession(sessionDeps, source, execution, afterSeq, sink);
      sessions.add(session);
      void session.finally(() => sessions.delete(session));
    };
    const loaded = new WeakMap<
      FastifyRequest,
      { source: ExecutionSource; execution: ExecutionRecord; afterSeq: number }
    >();

    app.route({
      method: 'GET',
      url: '/executions/:id/stream',
      // A HEAD would otherwise run the SSE handler and hold a stream open for nobody.
      exposeHeadRoute: false,
      schema: routeSchema('streamExecution'),
      // Runs before the upgrade, so an unknown or invisible id is a plain 404 with its code.
      preHandler: async (request) => {
        const afterSeq = resumeAfter(request, request.query.after_seq);
        const source = executionSource(deps, request, request.params.id);
        loaded.set(request, { source, execution: await source.execution(), afterSeq });
      },
      handler: async (request, reply) => {
        const { source, execution, afterSeq } = loaded.get(request)!;
        run(source, execution, afterSeq, sseSink(reply));
        return reply;
      },
      wsHandler: (socket, request) => {
        const { source, execution, afterSeq } = loaded.get(request)!;
        run(source, execution, afterSeq, websocketSink(socket));
      },
    });
  };
}
