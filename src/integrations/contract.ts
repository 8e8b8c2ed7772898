import type { EventMap } from '../core/events.js';
import type { IntegrationHealth, WebhookAnswer, WebhookRequest } from '../core/integrations.js';
import type { Logger } from '../core/logger.js';
import type { IntegrationPlatform } from './platform.js';

/** The integrations there are; `integrations.enabled` names some of them. */
export const INTEGRATION_NAMES = ['github', 'slack'] as const;
export type IntegrationName = (typeof INTEGRATION_NAMES)[number];

/** Platform events a subscription may turn into a notification. */
export const NOTIFIABLE_EVENTS = [
  'task.failed',
  'task.completed',
  'vm.lost',
  'vm.failed',
  'worker.left',
] as const;
export type NotifiableEvent = (typeof NOTIFIABLE_EVENTS)[number];

/** A platform event on its way to an integration, as a subscription delivers it. */
export interface Notification<E extends NotifiableEvent = NotifiableEvent> {
  event: E;
  payload: EventMap[E];
}

/** What an integration may use of the platform and the node it runs on. */
export interface IntegrationContext {
  platform: IntegrationPlatform;
  /**
   * Takes a delivery id once across the cluster (store-backed): false for a replay. Entries
   * expire after `ttlMs`.
   */
  claimDelivery(deliveryId: string, ttlMs: number): Promise<boolean>;
  logger: Logger;
  /** Wall clock in ms; tests move it to make stale requests. */
  now(): number;
}

/**
 * One integration. Rules every implementation keeps:
 * - `handleWebhook` verifies the request before it reads anything of it (ERR_WEBHOOK_UNVERIFIED,
 *   in constant time), refuses a replay (ERR_WEBHOOK_REPLAYED) and answers at once: work it
 *   starts runs in the background, tracked so `close` can wait for it.
 * - Secrets never appear in a log line, an error message or an answer, and never enter a VM.
 * - `health` answers from memory (configuration and the outcome of its last call out).
 */
export interface Integration {
  readonly name: IntegrationName;
  handleWebhook(request: WebhookRequest): Promise<WebhookAnswer>;
  /** Sends a platform event where this integration sends notifications; nowhere configured = no-op. */
  notify(notification: Notification): Promise<void>;
  health(): IntegrationHealth;
  /** Waits for the work its webhooks started (bounded), then releases what it holds. */
  close(): Promise<void>;
}
