import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps, GatewaySettings } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { executionJson } from '../serialize.js';
import { streamExecution } from '../stream-execution.js';
import { replyToWrite } from '../write-reply.js';

export function executeRoutes(deps: GatewayDeps, settings: GatewaySettings): FastifyPluginAsyncZod {
  const { service } = deps;
  return async (app) => {
    app.post('/vms/:id/execute', routeOptions('executeCommand'), async (request, reply) => {
      const { command, args, env, cwd, stdin, timeout_ms, retry_safe, priority } = request.body;
      const input = { command, args, env, cwd, stdin, timeoutMs: timeout_ms, retrySafe: retry_safe };
      if (request.query.stream) {
        return streamExecution(deps, settings, request, reply, request.params.id, input, { priority });
      }
      const { task, executionId, timeoutMs } = await service.execute(
        accessFor(request),
        request.params.id,
        input,
        { priority },
      );
      return replyToWrite(deps, settings, reply, task, request.query, async () => ({
        execution_id: executionId,
        timeout_ms: timeoutMs,
        ...(request.query.wait
          ? { execution: executionJson(await service.getExecution(accessFor(request), executionId)) }
          : {}),
      }));
    });
  };
}
