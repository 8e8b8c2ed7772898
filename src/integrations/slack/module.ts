/**
 * Slack as a plug-in (see IntegrationModule in ../contract.ts): slash commands answered from the
 * platform, and notifications posted to a channel. Its code loads when a gateway opens it.
 */
import { z } from 'zod';
import { defineOptions, urlOption } from '../../core/config/option.js';
import { AetherError } from '../../core/errors.js';
import { defineIntegration } from '../contract.js';
import type { SlackSettings } from './slack-integration.js';

const SLACK_OPTIONS = defineOptions({
  slackBotToken: {
    env: 'SLACK_BOT_TOKEN',
    file: 'slack.bot_token',
    default: '',
    doc: 'Slack bot token (xoxb-, scope chat:write); never logged',
    schema: z.string(),
    secret: true,
  },
  slackSigningSecret: {
    env: 'SLACK_SIGNING_SECRET',
    file: 'slack.signing_secret',
    default: '',
    doc: "Slack app's signing secret; with the bot token, enables Slack",
    schema: z.string(),
    secret: true,
  },
  slackApiUrl: {
    env: 'AETHER_SLACK_API_URL',
    file: 'slack.api_url',
    default: 'https://slack.com/api',
    doc: 'Slack Web API base URL',
    schema: urlOption(/^https?:\/\//, 'http(s)://').refine((v) => v !== '', 'must be set'),
  },
  slackChannel: {
    env: 'AETHER_SLACK_CHANNEL',
    file: 'slack.channel',
    default: '',
    doc: 'Channel id notifications are posted to; empty = no notifications',
    schema: z.string().regex(/^([A-Za-z0-9_#-]{1,80}|)$/, 'must be a channel id such as C0123456789'),
  },
});

export const slackIntegrationModule = defineIntegration({
  name: 'slack',
  summary:
    'Answers the `/aetherium-status`, `/aetherium-vm-list` and `/aetherium-task` slash commands, and posts platform events to a channel',
  options: SLACK_OPTIONS,
  settings(options, shared): SlackSettings | null {
    const ready = options.slackSigningSecret !== '' && options.slackBotToken !== '';
    if (shared.named && !ready) {
      throw new AetherError(
        'ERR_CONFIG',
        'integration slack is enabled but needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN',
      );
    }
    if (!ready) return null;
    return {
      signingSecret: options.slackSigningSecret,
      botToken: options.slackBotToken,
      apiUrl: options.slackApiUrl.replace(/\/+$/, ''),
      channel: options.slackChannel,
      access: shared.access,
      runTimeoutMs: shared.runTimeoutMs,
    };
  },
  async open(settings, context) {
    const { createSlackIntegration } = await import('./slack-integration.js');
    return createSlackIntegration(settings, context);
  },
});
