import type { AetherConfig } from '../core/config.js';
import { AetherError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type {
  IntegrationHealth,
  WebhookAnswer,
  WebhookReceiver,
  WebhookRequest,
} from '../core/integrations.js';
import type { Logger } from '../core/logger.js';
import type { Access } from '../core/principal.js';
import type { Integration, IntegrationContext, IntegrationName } from './contract.js';
import { createGitHubIntegration, type GitHubSettings } from './github/github-integration.js';
import type { IntegrationPlatform } from './platform.js';
import { createSlackIntegration, type SlackSettings } from './slack/slack-integration.js';
import { parseSubscriptions, type Subscription, subscribe } from './subscriptions.js';

/** What the integrations are set to, from the configuration; null = that one is off. */
export interface IntegrationSettings {
  github: GitHubSettings | null;
  slack: SlackSettings | null;
  subscriptions: Subscription[];
}

/**
 * An integration is on when `integrations.enabled` names it or its secrets are set; named but
 * missing a secret is a configuration error that says which.
 */
export function integrationSettings(config: AetherConfig): IntegrationSettings {
  const named = new Set(
    config.integrationsEnabled
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  );
  const access: Access = { project: config.integrationsProject, all: false };
  const runTimeoutMs = config.executeTimeoutMs;

  const app =
    config.githubAppId && config.githubAppPrivateKey
      ? {
          id: config.githubAppId,
          privateKeyPem: config.githubAppPrivateKey.replaceAll('\\n', '\n'),
          ...(config.githubAppInstallationId
            ? { installationId: Number(config.githubAppInstallationId) }
            : {}),
        }
      : null;
  const githubReady = config.githubWebhookSecret !== '' && (config.githubToken !== '' || app !== null);
  if (named.has('github') && !githubReady) {
    throw new AetherError(
      'ERR_CONFIG',
      'integration github is enabled but needs GITHUB_WEBHOOK_SECRET and either GITHUB_TOKEN or AETHER_GITHUB_APP_ID with AETHER_GITHUB_APP_PRIVATE_KEY',
    );
  }
  const slackReady = config.slackSigningSecret !== '' && config.slackBotToken !== '';
  if (named.has('slack') && !slackReady) {
    throw new AetherError(
      'ERR_CONFIG',
      'integration slack is enabled but needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN',
    );
  }
  return {
    github: githubReady
      ? {
          webhookSecret: config.githubWebhookSecret,
          token: app ? '' : config.githubToken,
          app,
          apiUrl: config.githubApiUrl.replace(/\/+$/, ''),
          checkCommand: config.githubCheckCommand.trim(),
          repositories: config.githubRepositories
            .split(',')
            .map((r) => r.trim().toLowerCase())
            .filter(Boolean),
          access,
          runTimeoutMs,
        }
      : null,
    slack: slackReady
      ? {
          signingSecret: config.slackSigningSecret,
          botToken: config.slackBotToken,
          apiUrl: config.slackApiUrl.replace(/\/+$/, ''),
          channel: config.slackChannel,
          access,
          runTimeoutMs,
        }
      : null,
    subscriptions: parseSubscriptions(config.integrationsSubscriptions),
  };
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

/** Loads the integrations the settings turn on, and their subscriptions. */
export function createIntegrationRegistry(
  settings: IntegrationSettings,
  deps: IntegrationDeps,
): IntegrationRegistry {
  const loaded = new Map<IntegrationName, Integration>();
  const contextFor = (name: IntegrationName): IntegrationContext => ({
    platform: deps.platform,
    claimDelivery: (id, ttlMs) => deps.claimDelivery(name, id, ttlMs),
    logger: deps.logger,
    now: deps.now ?? Date.now,
  });
  if (settings.github) loaded.set('github', createGitHubIntegration(settings.github, contextFor('github')));
  if (settings.slack) loaded.set('slack', createSlackIntegration(settings.slack, contextFor('slack')));
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
      const integration = loaded.get(request.integration as IntegrationName);
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
