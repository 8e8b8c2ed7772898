import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';

/**
 * Liveness and readiness, as orchestrators probe them; both public (probes carry no
 * credentials). `/health` answers 200 while the process serves HTTP and touches no backend, so a
 * store outage never gets healthy gateways restarted; `/ready` checks what a request needs and
 * answers 503 until all of it works, so a balancer sends nothing to a gateway that cannot serve.
 */
export function healthRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const health = routeOptions('getHealth');
    // Not rate limited: in a cluster the limiter counts in Redis, and liveness must not depend on it.
    app.get('/health', { ...health, config: { ...health.config, rateLimit: false } }, async () => {
      // From memory: each integration reports what it saw last, without calling out.
      const integrations = deps.webhooks?.health() ?? {};
      return {
        status: 'ok' as const,
        version: deps.version,
        ...(Object.keys(integrations).length > 0 ? { integrations } : {}),
      };
    });
    app.get('/ready', routeOptions('getReady'), async (_request, reply) => {
      const report = await deps.readiness();
      return reply.status(report.ok ? 200 : 503).send({
        status: report.ok ? 'ok' : 'degraded',
        version: deps.version,
        components: report.components,
      });
    });
  };
}
