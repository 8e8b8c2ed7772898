import { AetherError } from '../../core/errors.js';
import { type CallRecord, callJson } from '../http-json.js';
import type { SlackBlock } from './blocks.js';

/** A message as Slack takes it: `text` is the notification fallback, `blocks` the rich body. */
export interface SlackMessage {
  text: string;
  blocks?: SlackBlock[];
  response_type?: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
}

/**
 * The Web API calls and `response_url` posts the integration makes, over fetch; the API base URL
 * is configurable (a local server in tests). Slack answers errors as 200 `{ok: false, error}`.
 */
export class SlackClient {
  constructor(
    private readonly apiUrl: string,
    private readonly botToken: string,
    private readonly calls: CallRecord,
  ) {}

  async postMessage(channel: string, message: SlackMessage): Promise<void> {
    const what = 'chat.postMessage';
    try {
      const answer = await callJson<{ ok: boolean; error?: string }>(
        'slack',
        `${this.apiUrl}/chat.postMessage`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${this.botToken}` },
          body: { channel, ...message },
        },
      );
      if (!answer?.ok) {
        throw new AetherError(
          'ERR_INTEGRATION_FAILED',
          `slack: chat.postMessage refused: ${answer?.error ?? 'no answer'}`,
          {
            details: { integration: 'slack' },
          },
        );
      }
      this.calls.succeeded(what);
    } catch (error) {
      this.calls.failed(what, error);
      throw error;
    }
  }

  /** Answers a slash command or an interaction later (up to 30 minutes, 5 times), no token needed. */
  async respond(responseUrl: string, message: SlackMessage): Promise<void> {
    const what = 'response_url';
    try {
      const res = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(15_000),
      });
      await res.text();
      if (!res.ok) {
        throw new AetherError('ERR_INTEGRATION_FAILED', `slack: response_url answered ${res.status}`, {
          details: { integration: 'slack', status: res.status },
        });
      }
      this.calls.succeeded(what);
    } catch (error) {
      this.calls.failed(what, error);
      throw error;
    }
  }
}

/** Slack's own hosts for response URLs; any other is refused (unless the API URL was changed). */
export function isSlackResponseUrl(url: string, apiUrl: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  if (
    parsed.protocol === 'https:' &&
    (parsed.hostname === 'hooks.slack.com' || parsed.hostname.endsWith('.slack.com'))
  ) {
    return true;
  }
  // A test or a proxy that points the API elsewhere points responses at the same origin.
  return parsed.origin === new URL(apiUrl).origin && apiUrl !== 'https://slack.com/api';
}
