import { setTimeout as sleep } from 'node:timers/promises';
import websocket from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { lastEventIdHeader } from '../../api/stream.js';
import { AetherError } from '../../core/errors.js';
import { TERMINAL_FRAME_BYTES } from '../../core/terminal-socket.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeSchema } from '../route-schema.js';
import { executionStream, SSE_RETRY_MS, type StreamMessage } from '../streaming/execution-stream.js';
import { runStream, type StreamRunner, type StreamSpec } from '../streaming/run-stream.js';
import { sseTransport } from '../streaming/sse-transport.js';
import { websocketTransport } from '../streaming/websocket-transport.js';
import { eventStreamRoutes } from './event-stream.js';
import { logStreamRoutes } from './log-stream.js';
import { terminalSocketRoutes } from './terminal-sockets.js';

/** How long a closing gateway waits for its streams to send their last message. */
const CLOSE_GRACE_MS = 1000;

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
export function streamRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
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
    // dispatched. Clients send nothing on the output streams; terminals and port connections send
    // bytes, in frames no larger than TERMINAL_FRAME_BYTES.
    await app.register(websocket, { options: { maxPayload: TERMINAL_FRAME_BYTES } });
    const runDeps = {
      logger: deps.logger,
      closing: deps.closing ? AbortSignal.any([deps.closing, closing.signal]) : closing.signal,
    };
    const run: StreamRunner = (spec, transport) => {
      const session = runStream(runDeps, spec, transport);
      sessions.add(session);
      void session.finally(() => sessions.delete(session));
    };
    // The log tail and the event feed share this scope's websocket plugin (one per server) and
    // its close handling.
    await app.register(logStreamRoutes(deps, run));
    await app.register(eventStreamRoutes(deps, run));
    await app.register(terminalSocketRoutes(deps));
    const prepared = new WeakMap<FastifyRequest, StreamSpec<StreamMessage>>();

    app.route({
      method: 'GET',
      url: '/executions/:id/stream',
      // A HEAD would otherwise run the SSE handler and hold a stream open for nobody.
      exposeHeadRoute: false,
      schema: routeSchema('streamExecution'),
      // Runs before the upgrade, so an unknown or invisible id is a plain 404 with its code.
      preHandler: async (request) => {
        const afterSeq = resumeAfter(request, request.query.after_seq);
        const access = accessFor(request);
        const execution = await deps.output.get(access, request.params.id);
        prepared.set(request, executionStream(deps.output, access, execution, afterSeq));
      },
      handler: async (request, reply) => {
        // Chunks carry `id: <seq>`, so a reconnecting EventSource resumes with `Last-Event-ID`.
        const idOf = (message: StreamMessage) => (message.type === 'chunk' ? String(message.seq) : undefined);
        run(prepared.get(request)!, sseTransport(reply, { idOf, retryMs: SSE_RETRY_MS }));
        return reply;
      },
      wsHandler: (socket, request) => {
        run(prepared.get(request)!, websocketTransport(socket));
      },
    });
  };
}
