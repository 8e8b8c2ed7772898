import type { ConfigOptionTable, ConfigValues } from '../core/config/option.js';
import type { EventMap } from '../core/events.js';
import type { IntegrationHealth, WebhookAnswer, WebhookRequest } from '../core/integrations.js';
import type { Logger } from '../core/logger.js';
import type { Access } from '../core/principal.js';
import type { IntegrationPlatform } from './platform.js';

/**
 * An integration's name: its webhook path (`/api/v1/webhooks/<name>`), its section of the config
 * file and what `integrations.enabled` and subscriptions name. The integrations of this build
 * are the modules of src/integrations/modules.ts.
 */
export type IntegrationName = string;

/** Platform events a subscription may turn into a notification. */
export const NOTIFIABLE_EVENTS = [
  'task.failed',
  'task.completed',
  'vm.lost',
  'vm.failed',
  // Every end of a VM, with who or what ended it first in the reason (`user: …`, `ttl: …`).
  'vm.stopped',
  'vm.deleted',
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

/** What each integration's settings take from the shared `integrations` options. */
export interface SharedIntegrationSettings {
  /** `integrations.enabled` names it: without its secrets it is then a configuration error. */
  named: boolean;
  /** The project its VMs go to. */
  access: Access;
  /** Deadline of each step of a run it starts (create, unpack, command). */
  runTimeoutMs: number;
}

/**
 * One integration as a plug-in: its name, its options and how to open it. The runtime loops over
 * the list in src/integrations/modules.ts to build the configuration, open the integrations a
 * gateway runs and write docs/configuration.md. Rules every module keeps:
 * - Importing it is cheap: its code and clients load inside `open`.
 * - Its options are its own (names unique across the node, env vars and file keys too), in the
 *   section named after it, and documented in the same definition; secrets are marked `secret`.
 * - `settings` answers null when its secrets are unset (the integration is off) and throws
 *   ERR_CONFIG naming what is missing when `integrations.enabled` names it anyway.
 */
export interface IntegrationModule<O extends ConfigOptionTable = ConfigOptionTable, S = unknown> {
  readonly name: IntegrationName;
  /** One sentence: what it does. For docs/configuration.md. */
  readonly summary: string;
  readonly options: O;
  settings(options: ConfigValues<O>, shared: SharedIntegrationSettings): S | null;
  open(settings: S, context: IntegrationContext): Promise<Integration>;
}

/** Declares an integration module, keeping the types of its options, name and settings. */
export function defineIntegration<const N extends string, const O extends ConfigOptionTable, S>(
  module: IntegrationModule<O, S> & { readonly name: N },
): IntegrationModule<O, S> & { readonly name: N } {
  return module;
}
