import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { GatewayDeps } from '../context.js';

export function healthRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      { schema: { summary: 'Health of each component', tags: ['system'] } },
      async (_request, reply) => {
        const report = await deps.health();
        return reply.status(report.ok ? 200 : 503).send({
          status: report.ok ? 'ok' : 'degraded',
          version: deps.version,
          components: report.components,
        });
      },
    );
  };
}
