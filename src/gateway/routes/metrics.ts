import type { FastifyPluginAsync } from 'fastify';
import { AetherError } from '../../core/errors.js';
import { renderMetrics } from '../../metrics/registry.js';
import type { GatewayMetrics } from '../context.js';
import { routeOptions } from '../route-schema.js';

/**
 * `GET /metrics` in Prometheus text format, outside the versioned API (where scrapers look for
 * it). It goes through authentication like every route; Prometheus sends an admin key as its
 * bearer token (`authorization.credentials_file` in its scrape config).
 */
export function metricsRoutes(metrics: GatewayMetrics): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/metrics',
      // Admin only (the route table says so): the series name workers, queues and load across
      // every project.
      routeOptions('getMetrics'),
      async (request, reply) => {
        // The authentication hook already refuses others; this holds should it ever be skipped.
        if (request.principal?.admin !== true) {
          throw new AetherError('ERR_FORBIDDEN', 'metrics need an admin key');
        }
        const { contentType, body } = await renderMetrics(metrics.registry);
        return reply.type(contentType).send(body);
      },
    );
  };
}
