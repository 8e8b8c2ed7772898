import type { Logger } from '../core/logger.js';
import type { Store } from '../core/store.js';
import { AddressPolicy } from '../service/outbound/address-policy.js';
import { startWebhookDispatcher } from '../service/outbound/dispatcher.js';
import { WebhookService } from '../service/outbound/webhook-service.js';
import type { AetherConfig } from './config.js';

/**
 * A gateway's outbound webhooks: the subscriptions' service for its routes, and its dispatcher.
 * Every gateway dispatches; the store hands each due delivery to one of them at a time.
 */
export function openOutboundWebhooks(
  config: AetherConfig,
  store: Store,
  logger: Logger,
): { service: WebhookService; stop(): Promise<void> } {
  const policy = new AddressPolicy({
    allowPrivate: config.webhookAllowPrivate,
    allowCidrs: config.webhookAllowCidrs
      .split(',')
      .map((cidr) => cidr.trim())
      .filter(Boolean),
  });
  const dispatcher = startWebhookDispatcher(
    { store, policy, logger: logger.child({ component: 'webhooks' }) },
    {
      timeoutMs: config.webhookTimeoutMs,
      retryBaseMs: config.webhookRetryBaseMs,
      retryMaxMs: config.webhookRetryMaxMs,
      retryForMs: config.webhookRetryForMs,
      pollIntervalMs: config.webhookPollIntervalMs,
    },
  );
  return { service: new WebhookService(store, policy), stop: () => dispatcher.stop() };
}
