import { z } from 'zod';
import { DELIVERY_STATUSES, isWebhookEventPattern, WEBHOOK_EVENTS } from '../core/outbound-webhooks.js';
import { nullableTimestamp, recordId, timestamp } from './fields.js';

/** Outbound webhook subscriptions and their deliveries. The secret is in `CreatedWebhook`, once. */

const EVENT_HELP = `an event name (${WEBHOOK_EVENTS.join(', ')}), a group (vm.*, task.*, execution.*) or *`;

export const createWebhookBody = z
  .object({
    url: z
      .string()
      .min(1)
      .max(2048)
      .describe(
        'Where events are POSTed: http(s); internal addresses are refused unless the operator allows them',
      ),
    events: z
      .array(z.string().refine(isWebhookEventPattern, `must be ${EVENT_HELP}`))
      .min(1, 'give at least one event')
      .max(32)
      .describe(`Events to send: each ${EVENT_HELP}`),
    active: z.boolean().optional().describe('Whether events are sent; default true'),
  })
  .strict();

const uuidParam = (what: string) => z.string().uuid(`${what} ids are UUIDs`);

export const webhookParams = z.object({ id: uuidParam('webhook') });

export const webhookDeliveryParams = z.object({ id: uuidParam('webhook'), delivery: uuidParam('delivery') });

export const webhookDeliveriesQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('At most this many, newest first; default 100'),
});

export const webhookSchema = z
  .object({
    id: recordId,
    project: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    active: z.boolean(),
    created_at: timestamp,
  })
  .meta({ id: 'Webhook', description: 'An outbound webhook subscription: never its secret' });

export const createdWebhook = z
  .object({
    webhook: webhookSchema,
    secret: z
      .string()
      .describe('The HMAC-SHA256 key deliveries are signed with (X-Aether-Signature). Shown only here.'),
  })
  .meta({ id: 'CreatedWebhook' });

export const webhookList = z.object({ webhooks: z.array(webhookSchema) }).meta({ id: 'WebhookList' });

export const webhookDeliverySchema = z
  .object({
    id: recordId.describe('Sent as X-Aether-Delivery, the same on every attempt'),
    webhook_id: recordId,
    event: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    next_attempt_at: nullableTimestamp.describe('When a pending delivery is tried next; null once settled'),
    last_attempt_at: nullableTimestamp,
    last_status_code: z
      .number()
      .int()
      .nullable()
      .describe("The receiver's last answer; null if it gave none"),
    last_error: z.string().nullable(),
    delivered_at: nullableTimestamp,
    redelivery_of: recordId.nullable(),
    created_at: timestamp,
    payload: z.unknown().describe('The event, as the body sends it under `data`'),
  })
  .meta({ id: 'WebhookDelivery' });

export const webhookDeliveryList = z
  .object({ deliveries: z.array(webhookDeliverySchema) })
  .meta({ id: 'WebhookDeliveryList' });

export type Webhook = z.infer<typeof webhookSchema>;
export type CreatedWebhook = z.infer<typeof createdWebhook>;
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;
export type CreateWebhookRequest = z.input<typeof createWebhookBody>;
