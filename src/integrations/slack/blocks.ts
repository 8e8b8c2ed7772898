/**
 * Block Kit, the part of it we send: sections with mrkdwn, context lines and buttons. Values of
 * buttons come back in `block_actions` payloads, verified like any other request.
 */
export type SlackBlock =
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  | { type: 'actions'; elements: SlackButton[] };

export interface SlackButton {
  type: 'button';
  action_id: string;
  text: { type: 'plain_text'; text: string };
  value: string;
  style?: 'primary' | 'danger';
}

/** Action ids of our buttons. */
export const RERUN_ACTION = 'aether_rerun';
export const DELETE_VM_ACTION = 'aether_delete_vm';

/** Slack caps a section's text at 3000 characters and a button's value at 2000. */
const SECTION_MAX = 3000;
export const BUTTON_VALUE_MAX = 2000;

/** `&`, `<` and `>` are markup in Slack text. */
export function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function section(text: string): SlackBlock {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: text.length > SECTION_MAX ? `${text.slice(0, SECTION_MAX - 1)}…` : text },
  };
}

export function context(text: string): SlackBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

export function code(text: string): string {
  return `\`\`\`${escapeSlack(text).replaceAll('```', "'''") || ' '}\`\`\``;
}

export function button(
  actionId: string,
  label: string,
  value: string,
  style?: 'primary' | 'danger',
): SlackButton {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: label },
    value: value.slice(0, BUTTON_VALUE_MAX),
    ...(style ? { style } : {}),
  };
}

export function actions(...buttons: SlackButton[]): SlackBlock {
  return { type: 'actions', elements: buttons };
}
