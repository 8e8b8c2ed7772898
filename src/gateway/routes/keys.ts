import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accessOf } from '../../core/principal.js';
import { principalOf } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { apiKeyJson } from '../serialize-key.js';

/**
 * API keys. Any caller manages its own project's plain keys; admin keys and keys of other
 * projects need an admin. The key itself is in the create answer only.
 */
export function keyRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  const { apiKeys } = deps;
  return async (app) => {
    app.post('/keys', routeOptions('createKey'), async (request, reply) => {
      const { name, project, admin, expires_at, expires_in_days } = request.body;
      const expiresAt = expires_at
        ? new Date(expires_at)
        : expires_in_days
          ? new Date(Date.now() + expires_in_days * 86_400_000)
          : null;
      const { key, secret } = await apiKeys.create(accessOf(principalOf(request)), {
        name,
        ...(project ? { project } : {}),
        ...(admin !== undefined ? { admin } : {}),
        expiresAt,
      });
      return reply.status(201).send({ key: apiKeyJson(key), secret });
    });

    app.get('/keys', routeOptions('listKeys'), async (request) => ({
      keys: (await apiKeys.list(accessOf(principalOf(request)))).map(apiKeyJson),
    }));

    app.delete('/keys/:id', routeOptions('revokeKey'), async (request) =>
      apiKeyJson(await apiKeys.revoke(accessOf(principalOf(request)), request.params.id)),
    );
  };
}
