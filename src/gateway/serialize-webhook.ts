import type { Webhook, WebhookDelivery } from '../api/outbound-webhooks.js';
import type { OutboundDelivery, WebhookSubscription } from '../core/outbound-webhooks.js';

export function webhookJson(subscription: WebhookSubscription): Webhook {
  return {
    id: subscription.id,
    project: subscription.project,
    url: subscription.url,
    events: subscription.events,
    active: subscription.active,
    created_at: subscription.createdAt.toISOString(),
  };
}

export function webhookDeliveryJson(delivery: OutboundDelivery): WebhookDelivery {
  return {
    id: delivery.id,
    webhook_id: delivery.subscriptionId,
    event: delivery.event,
    status: delivery.status,
    attempts: delivery.attempts,
    next_attempt_at: delivery.status === 'pending' ? delivery.nextAttemptAt.toISOString() : null,
    last_attempt_at: delivery.lastAttemptAt?.toISOString() ?? null,
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    delivered_at: delivery.deliveredAt?.toISOString() ?? null,
    redelivery_of: delivery.redeliveryOf,
    created_at: delivery.createdAt.toISOString(),
    payload: delivery.payload,
  };
}
