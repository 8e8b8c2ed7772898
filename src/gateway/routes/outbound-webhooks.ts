import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AetherError } from '../../core/errors.js';
import { accessOf } from '../../core/principal.js';
import { principalOf } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { webhookDeliveryJson, webhookJson } from '../serialize-webhook.js';

/**
 * Outbound webhook subscriptions of the caller's project (inbound GitHub and Slack webhooks are
 * routes/webhooks.ts, on `POST /webhooks/{integration}`; no method and path here meets those).
 */
export function outboundWebhookRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  const service = () => {
    if (!deps.outboundWebhooks)
      throw new AetherError('ERR_UNSUPPORTED', 'outbound webhooks are not enabled on this gateway');
    return deps.outboundWebhooks;
  };
  return async (app) => {
    app.post('/webhooks', routeOptions('createWebhook'), async (request, reply) => {
      const { url, events, active } = request.body;
      const { subscription, secret } = await service().create(accessOf(principalOf(request)), {
        url,
        events,
        ...(active !== undefined ? { active } : {}),
      });
      return reply.status(201).send({ webhook: webhookJson(subscription), secret });
    });

    app.get('/webhooks', routeOptions('listWebhooks'), async (request) => ({
      webhooks: (await service().list(accessOf(principalOf(request)))).map(webhookJson),
    }));

    app.delete('/webhooks/:id', routeOptions('deleteWebhook'), async (request) =>
      webhookJson(await service().remove(accessOf(principalOf(request)), request.params.id)),
    );

    app.get('/webhooks/:id/deliveries', routeOptions('listWebhookDeliveries'), async (request) => ({
      deliveries: (
        await service().deliveries(accessOf(principalOf(request)), request.params.id, request.query.limit)
      ).map(webhookDeliveryJson),
    }));

    app.post(
      '/webhooks/:id/deliveries/:delivery/redeliver',
      routeOptions('redeliverWebhook'),
      async (request, reply) => {
        const { id, delivery } = request.params;
        const again = await service().redeliver(accessOf(principalOf(request)), id, delivery);
        return reply.status(202).send(webhookDeliveryJson(again));
      },
    );
  };
}
