import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { overviewJson, queueJson } from '../serialize-overview.js';

/** The fleet at a glance for any caller (its own scope), and the queue's own view for admins. */
export function overviewRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  const { overview } = deps.services;
  return async (app) => {
    app.get('/overview', routeOptions('getOverview'), async (request) =>
      overviewJson(await overview.overview(accessFor(request))),
    );

    app.get('/queue', routeOptions('getQueue'), async () => queueJson(await overview.queue()));
  };
}
