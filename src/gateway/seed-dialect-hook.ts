import type { FastifyInstance } from 'fastify';
import { bodyFromSeed } from '../api/seed-dialect.js';

/**
 * Translates request bodies written in the original system's dialect (src/api/seed-dialect.ts)
 * to ours before the route's schema validates them.
 */
export function translateSeedDialect(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined) return;
    const operationId = (request.routeOptions.schema as { operationId?: string } | undefined)?.operationId;
    request.body = bodyFromSeed(operationId, request.body);
  });
}
