/** What Slack sends (application/x-www-form-urlencoded), the fields the integration reads. */

/** A slash command's form fields (Slack's "Enabling interactivity with Slash Commands"). */
export interface SlashCommand {
  command: string;
  text: string;
  responseUrl: string;
  userId: string;
  channelId: string;
}

/** One button press of a `block_actions` payload. */
export interface BlockAction {
  actionId: string;
  value: string;
  responseUrl: string;
  userId: string;
}

export type SlackRequest =
  | { kind: 'command'; command: SlashCommand }
  | { kind: 'action'; action: BlockAction }
  | { kind: 'other'; type: string };

/** Reads a verified body; null when it is neither a slash command nor an interaction. */
export function parseSlackRequest(body: string): SlackRequest | null {
  const form = new URLSearchParams(body);
  const payload = form.get('payload');
  if (payload !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      return null;
    }
    if (typeof parsed !== 'object' || parsed === null) return null;
    const p = parsed as {
      type?: unknown;
      response_url?: unknown;
      user?: { id?: unknown };
      actions?: { action_id?: unknown; value?: unknown }[];
    };
    if (p.type !== 'block_actions') return { kind: 'other', type: String(p.type) };
    const first = Array.isArray(p.actions) ? p.actions[0] : undefined;
    if (
      typeof first?.action_id !== 'string' ||
      typeof first.value !== 'string' ||
      typeof p.response_url !== 'string' ||
      typeof p.user?.id !== 'string'
    ) {
      return null;
    }
    return {
      kind: 'action',
      action: {
        actionId: first.action_id,
        value: first.value,
        responseUrl: p.response_url,
        userId: p.user.id,
      },
    };
  }
  const command = form.get('command');
  const responseUrl = form.get('response_url');
  if (command === null || responseUrl === null) return null;
  return {
    kind: 'command',
    command: {
      command,
      text: (form.get('text') ?? '').trim(),
      responseUrl,
      userId: form.get('user_id') ?? '',
      channelId: form.get('channel_id') ?? '',
    },
  };
}
