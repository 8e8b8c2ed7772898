import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { GatewayDeps, GatewaySettings } from '../context.js';
import { idParams, jobBody, workerParams, writeQuery } from '../schemas.js';
import { executionJson, jobJson, taskJson, workerJson } from '../serialize.js';
import { replyToWrite } from '../write-reply.js';

export function recordRoutes(deps: GatewayDeps, settings: GatewaySettings): FastifyPluginAsyncZod {
  const { service } = deps;
  return async (app) => {
    app.get(
      '/tasks/:id',
      { schema: { summary: 'Get a task', tags: ['tasks'], params: idParams } },
      async (request) => taskJson(await service.getTask(request.params.id)),
    );

    app.get(
      '/executions/:id',
      { schema: { summary: 'Get an execution', tags: ['executions'], params: idParams } },
      async (request) => executionJson(await service.getExecution(request.params.id)),
    );

    app.post(
      '/vms/:id/jobs',
      {
        schema: {
          summary: 'Run a job: named steps in order in one VM, stopping at the first failure',
          tags: ['jobs'],
          params: idParams,
          body: jobBody,
          querystring: writeQuery,
        },
      },
      async (request, reply) => {
        const { name, steps, priority } = request.body;
        const { task, job } = await service.runJob(
          request.params.id,
          { name, steps: steps.map(({ timeout_ms, ...step }) => ({ ...step, timeoutMs: timeout_ms })) },
          { priority },
        );
        return replyToWrite(deps, settings, reply, task, request.query, async () => ({
          job: jobJson(request.query.wait ? await service.getJob(job.id) : job),
        }));
      },
    );

    app.get(
      '/workers',
      { schema: { summary: 'List workers: host, drivers, capacity, load, heartbeat', tags: ['workers'] } },
      async () => ({ workers: (await service.listWorkers()).map(workerJson) }),
    );

    app.get(
      '/workers/:id',
      { schema: { summary: 'Get a worker', tags: ['workers'], params: workerParams } },
      async (request) => workerJson(await service.getWorker(request.params.id)),
    );

    app.get(
      '/jobs/:id',
      { schema: { summary: 'Get a job and its step results', tags: ['jobs'], params: idParams } },
      async (request) => jobJson(await service.getJob(request.params.id)),
    );
  };
}
