import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps, GatewaySettings } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { executionJson } from '../serialize.js';
import { executeStream } from '../streaming/execute-stream.js';
import { ndjsonTransport } from '../streaming/ndjson-transport.js';
import { runStream } from '../streaming/run-stream.js';
import { replyToWrite } from '../write-reply.js';

export function executeRoutes(deps: GatewayDeps, settings: GatewaySettings): FastifyPluginAsyncZod {
  const { executions } = deps.services;
  return async (app) => {
    app.post('/vms/:id/execute', routeOptions('executeCommand'), async (request, reply) => {
      const { command, args, env, cwd, stdin, stdin_stream, timeout_ms, retry_safe, priority } = request.body;
      const input = {
        command,
        args,
        env,
        cwd,
        stdin,
        stdinStream: stdin_stream,
        timeoutMs: timeout_ms,
        retrySafe: retry_safe,
      };
      const access = accessFor(request);
      const { task, executionId, timeoutMs } = await executions.start(access, request.params.id, input, {
        priority,
      });
      if (request.query.stream) {
        // Answered once the execution is recorded: a refused one is a plain error answer.
        const spec = executeStream(deps.output, access, { task, executionId }, settings.maxWaitMs);
        void runStream(deps, spec, ndjsonTransport(reply));
        return reply;
      }
      return replyToWrite(deps, settings, reply, task, request.query, async (_task, end) => ({
        execution_id: executionId,
        vm_id: task.vmId ?? request.params.id,
        timeout_ms: timeoutMs,
        ...(request.query.wait
          ? {
              execution: executionJson(
                end?.execution?.id === executionId
                  ? end.execution
                  : await executions.get(access, executionId),
              ),
            }
          : {}),
      }));
    });
  };
}
