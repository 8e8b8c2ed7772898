/**
 * GitHub as a plug-in (see IntegrationModule in ../contract.ts): pull request checks and
 * `/aether` comment commands run in fresh VMs, answered as commit statuses and comments.
 * Its code loads when a gateway opens it.
 */
import { z } from 'zod';
import { commaList, defineOptions, urlOption } from '../../core/config/option.js';
import { AetherError } from '../../core/errors.js';
import { defineIntegration } from '../contract.js';
import type { GitHubSettings } from './github-integration.js';

const GITHUB_OPTIONS = defineOptions({
  githubToken: {
    env: 'GITHUB_TOKEN',
    file: 'github.token',
    default: '',
    doc: 'GitHub token (repo scope, or a fine-grained token with contents, pull requests, issues and statuses); never logged, never enters a VM',
    schema: z.string(),
    secret: true,
  },
  githubWebhookSecret: {
    env: 'GITHUB_WEBHOOK_SECRET',
    file: 'github.webhook_secret',
    default: '',
    doc: 'Secret of the GitHub webhook (X-Hub-Signature-256); with a token or an App, enables GitHub',
    schema: z.string(),
    secret: true,
  },
  githubAppId: {
    env: 'AETHER_GITHUB_APP_ID',
    file: 'github.app_id',
    default: '',
    doc: 'GitHub App id, to act as the App (installation tokens) instead of with GITHUB_TOKEN',
    schema: z.string().regex(/^(\d{1,12}|)$/, 'must be a numeric App id or empty'),
  },
  githubAppPrivateKey: {
    env: 'AETHER_GITHUB_APP_PRIVATE_KEY',
    file: 'github.app_private_key',
    default: '',
    doc: "The GitHub App's PEM private key",
    schema: z
      .string()
      .refine((v) => v === '' || /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v), 'must be a PEM private key'),
    secret: true,
  },
  githubAppInstallationId: {
    env: 'AETHER_GITHUB_APP_INSTALLATION_ID',
    file: 'github.app_installation_id',
    default: '',
    doc: "The App's installation id; empty = the one a webhook names",
    schema: z.string().regex(/^(\d{1,12}|)$/, 'must be a numeric installation id or empty'),
  },
  githubApiUrl: {
    env: 'AETHER_GITHUB_API_URL',
    file: 'github.api_url',
    default: 'https://api.github.com',
    doc: 'GitHub REST API base URL (GitHub Enterprise: https://HOST/api/v3)',
    schema: urlOption(/^https?:\/\//, 'http(s)://').refine((v) => v !== '', 'must be set'),
  },
  githubCheckCommand: {
    env: 'AETHER_GITHUB_CHECK_COMMAND',
    file: 'github.check_command',
    default: '',
    doc: 'Command (run by sh in a fresh VM) for each opened or updated pull request, reported as a commit status; empty = none',
    schema: z.string().max(4096),
  },
  githubRepositories: {
    env: 'AETHER_GITHUB_REPOSITORIES',
    file: 'github.repositories',
    default: '',
    doc: 'Repositories whose webhooks may run work, owner/name comma-separated; empty = any that signs with the secret',
    schema: z
      .string()
      .refine(
        (v) =>
          v.split(',').every((r) => r.trim() === '' || /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(r.trim())),
        'use owner/name, comma-separated',
      ),
  },
});

export const githubIntegrationModule = defineIntegration({
  name: 'github',
  summary:
    'Runs `/aether run` and `/aether pr` comment commands, and a check command for each opened or updated pull request, in fresh VMs; answers with comments, pull requests and commit statuses',
  options: GITHUB_OPTIONS,
  settings(options, shared): GitHubSettings | null {
    const app =
      options.githubAppId && options.githubAppPrivateKey
        ? {
            id: options.githubAppId,
            privateKeyPem: options.githubAppPrivateKey.replaceAll('\\n', '\n'),
            ...(options.githubAppInstallationId
              ? { installationId: Number(options.githubAppInstallationId) }
              : {}),
          }
        : null;
    const ready = options.githubWebhookSecret !== '' && (options.githubToken !== '' || app !== null);
    if (shared.named && !ready) {
      throw new AetherError(
        'ERR_CONFIG',
        'integration github is enabled but needs GITHUB_WEBHOOK_SECRET and either GITHUB_TOKEN or AETHER_GITHUB_APP_ID with AETHER_GITHUB_APP_PRIVATE_KEY',
      );
    }
    if (!ready) return null;
    return {
      webhookSecret: options.githubWebhookSecret,
      token: app ? '' : options.githubToken,
      app,
      apiUrl: options.githubApiUrl.replace(/\/+$/, ''),
      checkCommand: options.githubCheckCommand.trim(),
      repositories: commaList(options.githubRepositories).map((r) => r.toLowerCase()),
      access: shared.access,
      runTimeoutMs: shared.runTimeoutMs,
    };
  },
  async open(settings, context) {
    const { createGitHubIntegration } = await import('./github-integration.js');
    return createGitHubIntegration(settings, context);
  },
});
