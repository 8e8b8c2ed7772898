import type { Access } from '../../core/principal.js';
import { isVmLive } from '../../core/vm.js';
import type { Notification } from '../contract.js';
import type { IntegrationPlatform } from '../platform.js';
import { actions, button, context, DELETE_VM_ACTION, escapeSlack, section } from './blocks.js';
import type { SlackMessage } from './client.js';

const ICONS: Record<Notification['event'], string> = {
  'task.failed': ':x:',
  'task.completed': ':white_check_mark:',
  'vm.lost': ':warning:',
  'vm.failed': ':x:',
  'vm.stopped': ':stop_button:',
  'vm.deleted': ':wastebasket:',
  'worker.left': ':electric_plug:',
};

/**
 * A platform event as a Slack message. A VM the integrations' project can see, still alive, gets
 * a "Delete VM" button (its press comes back as a signed `block_actions` request).
 */
export async function notificationMessage(
  notification: Notification,
  platform: IntegrationPlatform,
  access: Access,
): Promise<SlackMessage> {
  const { event, payload } = notification;
  let headline: string;
  let detail: string;
  let vmId: string | null = null;
  if ('taskId' in payload && 'type' in payload) {
    headline = `Task ${payload.type} ${payload.status}`;
    detail = payload.error ? `${payload.error.code}: ${payload.error.message}` : `task ${payload.taskId}`;
    vmId = await platform
      .getTask(access, payload.taskId)
      .then((task) => task.vmId)
      .catch(() => null);
  } else if ('vmId' in payload) {
    headline = `VM ${event.slice('vm.'.length)}`;
    detail = payload.reason;
    vmId = payload.vmId;
  } else if ('workerId' in payload && 'reason' in payload) {
    headline = `Worker ${payload.workerId} ${payload.status}`;
    detail = payload.reason;
  } else {
    headline = event;
    detail = '';
  }
  const vm = vmId === null ? null : await platform.getVm(access, vmId).catch(() => null);
  const text = `${headline}${detail ? `: ${detail}` : ''}`;
  return {
    text,
    blocks: [
      section(`${ICONS[event]} *${escapeSlack(headline)}*${detail ? `\n${escapeSlack(detail)}` : ''}`),
      context(`${event}${vm ? ` · VM \`${escapeSlack(vm.name)}\` (${vm.status})` : ''}`),
      ...(vm && isVmLive(vm.status) ? [actions(button(DELETE_VM_ACTION, 'Delete VM', vm.id, 'danger'))] : []),
    ],
  };
}
