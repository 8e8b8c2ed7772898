import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { executionJson, jobJson, taskJson } from '../serialize.js';
import { vmEventJson } from '../serialize-vm-event.js';

/**
 * Reads across a caller's records, as a dashboard pages through them: tasks, executions and jobs
 * of its project (every project's for an admin), and one VM's lifecycle timeline.
 */
export function listingRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  const { vms, tasks, executions, jobs } = deps.services;
  return async (app) => {
    app.get('/vms/:id/events', routeOptions('listVmEvents'), async (request) => ({
      events: (await vms.events(accessFor(request), request.params.id)).map(vmEventJson),
    }));

    app.get('/tasks', routeOptions('listTasks'), async (request) => {
      const { status, type, vm, limit } = request.query;
      const listed = await tasks.list(accessFor(request), {
        ...(status ? { status } : {}),
        ...(type ? { types: type } : {}),
        ...(vm === undefined ? {} : { vm }),
        limit,
      });
      return { tasks: listed.map((task) => taskJson(task)) };
    });

    app.get('/executions', routeOptions('listAllExecutions'), async (request) => {
      const { status, vm, limit } = request.query;
      const listed = await executions.listAll(accessFor(request), {
        ...(status ? { outcomes: status } : {}),
        ...(vm === undefined ? {} : { vm }),
        limit,
      });
      return { executions: listed.map(executionJson) };
    });

    app.get('/jobs', routeOptions('listJobs'), async (request) => {
      const { status, vm, limit } = request.query;
      const listed = await jobs.list(accessFor(request), {
        ...(status ? { status } : {}),
        ...(vm === undefined ? {} : { vm }),
        limit,
      });
      return { jobs: listed.map(jobJson) };
    });
  };
}
