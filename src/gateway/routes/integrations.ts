import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { type WebhookReceipts, webhookReceiptJson } from '../webhook-receipts.js';

/** Enabled integrations (admins only): each one's health and the webhooks this gateway got for it. */
export function integrationRoutes(deps: GatewayDeps, receipts: WebhookReceipts): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/integrations', routeOptions('listIntegrations'), async () => ({
      // From memory, as `/health` reads it: no call out.
      integrations: Object.entries(deps.webhooks?.health() ?? {}).map(([name, health]) => ({
        name,
        ok: health.ok,
        message: health.message,
        deliveries: receipts.list(name).map(webhookReceiptJson),
      })),
    }));
  };
}
