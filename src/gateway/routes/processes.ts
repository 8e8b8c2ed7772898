/**
 * A VM's running executions, and what reaches one while it runs: a signal, a streamed stdin.
 * Thin routes over the data service, which asks the worker that owns the VM.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { RAW_MEDIA_TYPE } from '../../api/files.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { dataServiceOf, streamedBody } from './files.js';

export function processRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  const data = () => dataServiceOf(deps);
  return async (app) => {
    // A stdin body stays a stream, read as the command reads.
    app.addContentTypeParser(RAW_MEDIA_TYPE, (_request, payload, done) => done(null, payload));

    app.get('/vms/:id/processes', routeOptions('listProcesses'), async (request) => ({
      processes: (await data().processes(accessFor(request), request.params.id)).map(
        ({ execution, pid }) => ({
          execution_id: execution.id,
          pid,
          command: execution.command,
          args: execution.args,
          started_at: execution.startedAt?.toISOString() ?? null,
        }),
      ),
    }));

    app.post('/executions/:id/signal', routeOptions('signalExecution'), async (request, reply) => {
      await data().signal(accessFor(request), request.params.id, request.body.signal);
      return reply.code(202).send({ ok: true as const });
    });

    app.put('/executions/:id/stdin', routeOptions('feedStdin'), async (request) =>
      data().stdin(accessFor(request), request.params.id, streamedBody(request.body)),
    );
  };
}
