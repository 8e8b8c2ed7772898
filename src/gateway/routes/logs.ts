import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LOG_QUERY_DEFAULT_LIMIT } from '../../api/logs.js';
import { AetherError } from '../../core/errors.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { logFilterFor, logLineJson, logReaderOf } from '../log-filter.js';
import { routeOptions } from '../route-schema.js';

/** `POST /logs/query`; the live tail (`GET /logs/stream`) lives with the other streams. */
export function logRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/logs/query', routeOptions('queryLogs'), async (request) => {
      const reader = logReaderOf(deps);
      const { body } = request;
      if (body.start && body.end && Date.parse(body.start) >= Date.parse(body.end)) {
        throw new AetherError('ERR_VALIDATION', 'body: start must be before end');
      }
      const filter = await logFilterFor(deps, accessFor(request), body);
      const order = body.order ?? 'desc';
      const lines = await reader.query({
        ...filter,
        ...(body.start ? { start: new Date(body.start) } : {}),
        ...(body.end ? { end: new Date(body.end) } : {}),
        limit: body.limit ?? LOG_QUERY_DEFAULT_LIMIT,
        order,
      });
      return { lines: lines.map(logLineJson), order };
    });
  };
}
