import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AetherError } from '../../core/errors.js';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';

/**
 * `POST /webhooks/{integration}`: the signature is the credential, computed over the exact bytes
 * sent, so this plugin (and only it: content-type parsers are scoped to their plugin) keeps every
 * body as a raw Buffer, whatever its content type: GitHub sends JSON, Slack a form.
 */
export function webhookRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.post('/webhooks/:integration', routeOptions('receiveWebhook'), async (request, reply) => {
      const { integration } = request.params;
      if (!deps.webhooks) {
        throw new AetherError(
          'ERR_WEBHOOK_UNVERIFIED',
          `no integration "${integration}" is enabled on this gateway to verify the webhook`,
        );
      }
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const answer = await deps.webhooks.receive({ integration, headers: request.headers, rawBody });
      return reply.status(answer.status).send(answer.body);
    });
  };
}
