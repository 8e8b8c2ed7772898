import { type ConfigValues, type JoinedTables, valuesOf } from '../core/config/option.js';
import { AetherError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type {
  IntegrationHealth,
  WebhookAnswer,
  WebhookReceiver,
  WebhookRequest,
} from '../core/integrations.js';
import type { Logger } from '../core/logger.js';
import type { Integration, IntegrationContext, IntegrationModule, IntegrationName } from './contract.js';
import { INTEGRATION_MODULES } from './modules.js';
import type { IntegrationsOptions } from './options.js';
import type { IntegrationPlatform } from './platform.js';
import { parseSubscriptions, type Subscription, subscribe } from './subscriptions.js';

type Module = (typeof INTEGRATION_MODULES)[number];
type SettingsOf<M> = M extends IntegrationModule<infer _O, infer S> ? S : never;

/** What the integrations are set to, by integration name (null = that one is off), and the subscriptions. */
export type IntegrationSettings = { [M in Module as M['name']]: SettingsOf<M> | null } & {
  subscriptions: Subscription[];
};

/** The configuration integrations read: the shared options, each module's, and the run deadline. */
export type IntegrationsConfig = ConfigValues<IntegrationsOptions & JoinedTables<Module['options']>> & {
  readonly executeTimeoutMs: number;
};

/**
 * An integration is on when `integrations.enabled` names it or its secrets are set; named but
 * missing a secret is a configuration error that says which.
 */
export function integrationSettings(config: IntegrationsConfig): IntegrationSettings {
  const named = new Set(
    config.integrationsEnabled
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  );
  const settings: Record<string, unknown> = {};
  for (const module of INTEGRATION_MODULES as readonly IntegrationModule[]) {
    settings[module.name] = module.settings(valuesOf(module.options, config), {
      named: named.has(module.name),
      access: { project: config.integrationsProject, all: false },
      runTimeoutMs: config.executeTimeoutMs,
    });
  }
  return {
    ...settings,
    subscriptions: parseSubscriptions(config.integrationsSubscriptions),
  } as IntegrationSettings;
}

/** Whether the settings turn any integration on. */
export function anyIntegrationOn(settings: IntegrationSettings): boolean {
  return INTEGRATION_MODULES.some((module) => settingsFor(settings, module.name) !== null);
}

function settingsFor(settings: IntegrationSettings, name: IntegrationName): unknown {
  return (settings as unknown as Record<string, unknown>)[name] ?? null;
}

export interface IntegrationDeps {
  platform: IntegrationPlatform;
  events: EventBus;
  /** The store's delivery ledger (Store.claimWebhookDelivery). */
  claimDelivery(integration: string, deliveryId: string, ttlMs: number): Promise<boolean>;
  logger: Logger;
  now?: () => number;
}

export interface IntegrationRegistry extends WebhookReceiver {
  readonly names: readonly IntegrationName[];
  /** Stops notifications, waits (bounded) for work in progress, closes each integration. */
  close(): Promise<void>;
}

/** Opens the integrations the settings turn on (each loads its code now), and their subscriptions. */
export async function createIntegrationRegistry(
  settings: IntegrationSettings,
  deps: IntegrationDeps,
): Promise<IntegrationRegistry> {
  const loaded = new Map<IntegrationName, Integration>();
  const contextFor = (name: IntegrationName): IntegrationContext => ({
    platform: deps.platform,
    claimDelivery: (id, ttlMs) => deps.claimDelivery(name, id, ttlMs),
    logger: deps.logger,
    now: deps.now ?? Date.now,
  });
  try {
    for (const module of INTEGRATION_MODULES as readonly IntegrationModule[]) {
      const own = settingsFor(settings, module.name);
      if (own !== null) loaded.set(module.name, await module.open(own, contextFor(module.name)));
    }
  } catch (error) {
    await Promise.all([...loaded.values()].map((integration) => integration.close()));
    throw error;
  }
  const unsubscribe = subscribe(
    deps.events,
    settings.subscriptions,
    loaded,
    (id, ttlMs) => deps.claimDelivery('notifications', id, ttlMs),
    deps.logger,
  );
  return {
    names: [...loaded.keys()],
    async receive(request: WebhookRequest): Promise<WebhookAnswer> {
      const integration = loaded.get(request.integration);
      if (!integration) {
        // The status and code of a bad signature: a sender without the secret gets nothing more.
        throw new AetherError(
          'ERR_WEBHOOK_UNVERIFIED',
          `no integration "${request.integration}" is enabled on this gateway to verify the webhook`,
        );
      }
      return integration.handleWebhook(request);
    },
    health(): Record<string, IntegrationHealth> {
      return Object.fromEntries([...loaded].map(([name, integration]) => [name, integration.health()]));
    },
    async close() {
      unsubscribe();
      await Promise.all([...loaded.values()].map((integration) => integration.close()));
    },
  };
}
