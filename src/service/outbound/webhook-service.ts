import { randomBytes } from 'node:crypto';
import { AetherError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { OutboundDelivery, WebhookSubscription } from '../../core/outbound-webhooks.js';
import type { Access } from '../../core/principal.js';
import type { Store } from '../../core/store.js';
import { visibleOr } from '../visibility.js';
import type { AddressPolicy } from './address-policy.js';

export interface CreateWebhookOptions {
  url: string;
  /** Patterns, already checked against WEBHOOK_EVENTS at the boundary. */
  events: readonly string[];
  active?: boolean;
}

type WebhookStore = Pick<
  Store,
  | 'insertWebhookSubscription'
  | 'getWebhookSubscription'
  | 'listWebhookSubscriptions'
  | 'deleteWebhookSubscription'
  | 'listOutboundDeliveries'
  | 'getOutboundDelivery'
  | 'redeliverOutbound'
>;

/**
 * A project's outbound webhook subscriptions and their delivery log. Another project's
 * subscription answers exactly as a missing one (ERR_WEBHOOK_NOT_FOUND).
 */
export class WebhookService {
  constructor(
    private readonly store: WebhookStore,
    private readonly policy: AddressPolicy,
  ) {}

  /** The secret is returned here only: the store keeps it to sign with, no answer shows it again. */
  async create(
    access: Access,
    options: CreateWebhookOptions,
  ): Promise<{ subscription: WebhookSubscription; secret: string }> {
    await this.policy.checkUrl(options.url);
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const subscription = await this.store.insertWebhookSubscription({
      id: newId(),
      project: access.project,
      url: options.url,
      events: [...new Set(options.events)],
      secret,
      active: options.active ?? true,
    });
    return { subscription, secret };
  }

  /** The caller's project's; an admin's lists every project's. */
  list(access: Access): Promise<WebhookSubscription[]> {
    return this.store.listWebhookSubscriptions(access.all ? undefined : access.project);
  }

  async get(access: Access, id: string): Promise<WebhookSubscription> {
    return visibleOr(
      access,
      await this.store.getWebhookSubscription(id),
      'ERR_WEBHOOK_NOT_FOUND',
      `no webhook with id ${id}`,
    );
  }

  /** Deletes it with its delivery log; pending deliveries are dropped. */
  async remove(access: Access, id: string): Promise<WebhookSubscription> {
    const subscription = await this.get(access, id);
    await this.store.deleteWebhookSubscription(subscription.id);
    return subscription;
  }

  async deliveries(access: Access, id: string, limit?: number): Promise<OutboundDelivery[]> {
    const subscription = await this.get(access, id);
    return this.store.listOutboundDeliveries(subscription.id, limit === undefined ? {} : { limit });
  }

  /** Queues the event again as a new delivery (its own id), due at once. */
  async redeliver(access: Access, id: string, deliveryId: string): Promise<OutboundDelivery> {
    const subscription = await this.get(access, id);
    const original = await this.store.getOutboundDelivery(deliveryId);
    if (!original || original.subscriptionId !== subscription.id) {
      throw new AetherError('ERR_WEBHOOK_DELIVERY_NOT_FOUND', `no delivery ${deliveryId} of webhook ${id}`);
    }
    const again = await this.store.redeliverOutbound(original.id, newId());
    if (!again)
      throw new AetherError('ERR_WEBHOOK_DELIVERY_NOT_FOUND', `no delivery ${deliveryId} of webhook ${id}`);
    return again;
  }
}
