import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { GatewayDeps } from '../context.js';
import { createHealthReporter } from '../health-report.js';
import { routeOptions } from '../route-schema.js';

/**
 * Liveness and readiness, as orchestrators probe them; both public (probes carry no
 * credentials). `/health` answers 200 whenever the process serves HTTP, with each component's
 * status beside it (its checks are short, shared and reused for a second, so a slow or dead
 * backend never gets healthy gateways restarted); `/ready` answers 503 until everything a
 * request needs works, so a balancer sends nothing to a gateway that cannot serve.
 */
export function healthRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  const healthReport = createHealthReporter({
    check: deps.health ?? deps.readiness,
    integrations: () => deps.webhooks?.health() ?? {},
    version: deps.version,
  });
  return async (app) => {
    const health = routeOptions('getHealth');
    // Not rate limited: in a cluster the limiter counts in Redis, and liveness must not depend on it.
    app.get('/health', { ...health, config: { ...health.config, rateLimit: false } }, () => healthReport());
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
