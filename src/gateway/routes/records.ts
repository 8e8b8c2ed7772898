import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps, GatewaySettings } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { executionJson, jobJson, taskJson, workerJson } from '../serialize.js';
import { resultDetails } from '../serialize-task-result.js';
import { replyToWrite } from '../write-reply.js';

export function recordRoutes(deps: GatewayDeps, settings: GatewaySettings): FastifyPluginAsyncZod {
  const { tasks, executions, jobs, workers } = deps.services;
  return async (app) => {
    app.get('/tasks/:id', routeOptions('getTask'), async (request) => {
      const access = accessFor(request);
      const task = await tasks.get(access, request.params.id);
      return taskJson(task, await resultDetails(deps.services, access, task));
    });

    app.get('/executions/:id', routeOptions('getExecution'), async (request) =>
      executionJson(await executions.get(accessFor(request), request.params.id)),
    );

    app.post('/vms/:id/jobs', routeOptions('runJob'), async (request, reply) => {
      const { name, steps, priority } = request.body;
      const { task, job } = await jobs.run(
        accessFor(request),
        request.params.id,
        { name, steps: steps.map(({ timeout_ms, ...step }) => ({ ...step, timeoutMs: timeout_ms })) },
        { priority },
      );
      return replyToWrite(deps, settings, reply, task, request.query, async () => ({
        job: jobJson(request.query.wait ? await jobs.get(accessFor(request), job.id) : job),
      }));
    });

    app.get('/workers', routeOptions('listWorkers'), async () => ({
      workers: (await workers.list()).map(workerJson),
    }));

    app.get('/workers/:id', routeOptions('getWorker'), async (request) =>
      workerJson(await workers.get(request.params.id)),
    );

    app.get('/jobs/:id', routeOptions('getJob'), async (request) =>
      jobJson(await jobs.get(accessFor(request), request.params.id)),
    );
  };
}
