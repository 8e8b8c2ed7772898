import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AetherError } from '../../core/errors.js';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';
import type { WebhookReceipts } from '../webhook-receipts.js';

/**
 * `POST /webhooks/{integration}`: the signature is the credential, computed over the exact bytes
 * sent, so this plugin (and only it: content-type parsers are scoped to their plugin) keeps every
 * body as a raw Buffer, whatever its content type: GitHub sends JSON, Slack a form. `receipts`
 * keeps how each webhook of an enabled integration was answered, for `GET /integrations`.
 */
export function webhookRoutes(deps: GatewayDeps, receipts: WebhookReceipts): FastifyPluginAsyncZod {
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
      const webhook = { integration, headers: request.headers, rawBody };
      // Only enabled integrations: requests to made-up names must not grow what is kept.
      const keep = Object.hasOwn(deps.webhooks.health(), integration);
      try {
        const answer = await deps.webhooks.receive(webhook);
        if (keep) receipts.record(webhook, { answer });
        return reply.status(answer.status).send(answer.body);
      } catch (error) {
        if (keep) receipts.record(webhook, { error });
        throw error;
      }
    });
  };
}
