import { AetherError } from '../../core/errors.js';
import type { IntegrationHealth, WebhookAnswer, WebhookRequest } from '../../core/integrations.js';
import type { Access } from '../../core/principal.js';
import { isVmLive } from '../../core/vm.js';
import { BackgroundWork } from '../background.js';
import type { Integration, IntegrationContext, Notification } from '../contract.js';
import { CallRecord } from '../http-json.js';
import { runInFreshVm } from '../run-in-vm.js';
import { singleHeader } from '../verify.js';
import {
  actions,
  button,
  code,
  context,
  DELETE_VM_ACTION,
  escapeSlack,
  RERUN_ACTION,
  section,
} from './blocks.js';
import { isSlackResponseUrl, SlackClient, type SlackMessage } from './client.js';
import { notificationMessage } from './notifications.js';
import { parseSlackRequest, type SlashCommand } from './requests.js';
import {
  SLACK_MAX_SKEW_MS,
  SLACK_SIGNATURE_HEADER,
  SLACK_TIMESTAMP_HEADER,
  verifySlackSignature,
} from './signature.js';

export interface SlackSettings {
  signingSecret: string;
  botToken: string;
  apiUrl: string;
  /** Where notifications go; empty = none. */
  channel: string;
  access: Access;
  runTimeoutMs: number;
}

/** The slash commands this integration answers. */
export const SLACK_COMMANDS = ['/aetherium-status', '/aetherium-vm-list', '/aetherium-task'] as const;
const CLOSE_WAIT_MS = 30_000;

export function createSlackIntegration(settings: SlackSettings, ctx: IntegrationContext): Integration {
  const calls = new CallRecord();
  const client = new SlackClient(settings.apiUrl, settings.botToken, calls);
  const logger = ctx.logger.child({ integration: 'slack' });
  const background = new BackgroundWork(logger);
  const { platform } = ctx;
  let lastRequest: Date | null = null;

  async function status(): Promise<SlackMessage> {
    const [report, workers] = await Promise.all([platform.status(), platform.listWorkers()]);
    const active = workers.filter((w) => w.status === 'active');
    const lines = Object.entries(report.components).map(
      ([name, c]) => `${c.ok ? ':large_green_circle:' : ':red_circle:'} *${name}*: ${escapeSlack(c.message)}`,
    );
    const text = `Aetherium is ${report.ok ? 'ready' : 'degraded'}: ${active.length} active worker(s), ${report.queueDepth} task(s) queued`;
    return {
      response_type: 'ephemeral',
      text,
      blocks: [
        section(`*${text}*`),
        section(lines.join('\n') || 'no components reported'),
        context(active.map((w) => `\`${escapeSlack(w.id)}\``).join(' ') || 'no active worker'),
      ],
    };
  }

  async function vmList(): Promise<SlackMessage> {
    const vms = (await platform.listVms(settings.access, { limit: 50 })).filter((vm) => isVmLive(vm.status));
    const text = `${vms.length} live VM(s) in project ${settings.access.project}`;
    const lines = vms.map(
      (vm) =>
        `• \`${escapeSlack(vm.name)}\` ${vm.status} (${vm.driver}, ${vm.vcpus} vCPU, ${vm.memoryMiB} MiB)`,
    );
    return {
      response_type: 'ephemeral',
      text,
      blocks: [section(`*${text}*`), ...(lines.length > 0 ? [section(lines.join('\n'))] : [])],
    };
  }

  async function task(command: string, userId: string): Promise<SlackMessage> {
    const result = await runInFreshVm(platform, settings.access, {
      label: 'slack-task',
      command,
      timeoutMs: settings.runTimeoutMs,
      metadata: { slackUser: userId },
    });
    const verdict = result.error
      ? `did not finish: ${result.error}`
      : result.timedOut
        ? 'timed out'
        : `exited with code ${result.exitCode}`;
    const ok = result.error === null && result.exitCode === 0;
    const text = `\`${command}\` ${verdict}`;
    return {
      response_type: 'in_channel',
      text,
      blocks: [
        section(
          `${ok ? ':white_check_mark:' : ':x:'} \`${escapeSlack(command)}\` ${escapeSlack(verdict)} (${(result.durationMs / 1000).toFixed(1)} s)`,
        ),
        section(code(result.outputTail)),
        context(`requested by <@${userId}> · VM ${result.vmId} (deleted)`),
        actions(button(RERUN_ACTION, 'Re-run', command, 'primary')),
      ],
    };
  }

  /** Runs a command's work in the background and posts its answer to `response_url`. */
  function answerLater(responseUrl: string, what: string, work: () => Promise<SlackMessage>): void {
    background.start(`slack ${what}`, async () => {
      let message: SlackMessage;
      try {
        message = await work();
      } catch (error) {
        const said = error instanceof AetherError ? `${error.code}: ${error.message}` : String(error);
        message = { response_type: 'ephemeral', text: `${what} failed: ${said}` };
      }
      await client.respond(responseUrl, message);
    });
  }

  function onCommand(command: SlashCommand): WebhookAnswer {
    switch (command.command) {
      case '/aetherium-status':
        answerLater(command.responseUrl, 'status', status);
        return { status: 200, body: { response_type: 'ephemeral', text: 'Checking the platform…' } };
      case '/aetherium-vm-list':
        answerLater(command.responseUrl, 'vm list', vmList);
        return { status: 200, body: { response_type: 'ephemeral', text: 'Listing VMs…' } };
      case '/aetherium-task': {
        if (command.text === '') {
          return {
            status: 200,
            body: { response_type: 'ephemeral', text: 'Usage: /aetherium-task <command>' },
          };
        }
        answerLater(command.responseUrl, 'task', () => task(command.text, command.userId));
        return {
          status: 200,
          body: {
            response_type: 'ephemeral',
            text: `Running \`${command.text}\` in a fresh VM; the result follows.`,
          },
        };
      }
      default:
        return {
          status: 200,
          body: {
            response_type: 'ephemeral',
            text: `Unknown command ${command.command}; try ${SLACK_COMMANDS.join(', ')}`,
          },
        };
    }
  }

  return {
    name: 'slack',

    async handleWebhook(request: WebhookRequest): Promise<WebhookAnswer> {
      const timestamp = singleHeader(request.headers, SLACK_TIMESTAMP_HEADER);
      const signature = singleHeader(request.headers, SLACK_SIGNATURE_HEADER);
      const verdict = verifySlackSignature(
        settings.signingSecret,
        request.rawBody,
        timestamp,
        signature,
        ctx.now(),
      );
      if (verdict !== 'ok') {
        throw new AetherError(
          'ERR_WEBHOOK_UNVERIFIED',
          verdict === 'stale'
            ? 'X-Slack-Request-Timestamp is more than 5 minutes from now: a stale or replayed request (or a wrong clock)'
            : 'X-Slack-Signature is missing or is not the v0 signature of this body under the signing secret',
        );
      }
      // Slack never sends the same signed request twice; a copy within the window is a replay.
      if (!(await ctx.claimDelivery(`${timestamp}:${signature}`, 2 * SLACK_MAX_SKEW_MS))) {
        throw new AetherError(
          'ERR_WEBHOOK_REPLAYED',
          'this signed request was already taken; a replay does nothing',
        );
      }
      lastRequest = new Date(ctx.now());
      const parsed = parseSlackRequest(request.rawBody.toString('utf8'));
      if (!parsed)
        throw new AetherError('ERR_VALIDATION', 'neither a slash command nor a block_actions payload');
      if (parsed.kind === 'other')
        return { status: 200, body: { accepted: true, action: `ignored: ${parsed.type}` } };
      const responseUrl = parsed.kind === 'command' ? parsed.command.responseUrl : parsed.action.responseUrl;
      if (!isSlackResponseUrl(responseUrl, settings.apiUrl)) {
        throw new AetherError('ERR_VALIDATION', 'response_url is not a Slack URL');
      }
      if (parsed.kind === 'command') return onCommand(parsed.command);
      const { action } = parsed;
      if (action.actionId === RERUN_ACTION) {
        answerLater(action.responseUrl, 'task', () => task(action.value, action.userId));
        return { status: 200, body: { accepted: true, action: 're-run started' } };
      }
      if (action.actionId === DELETE_VM_ACTION) {
        answerLater(action.responseUrl, 'delete', async () => {
          const { vm } = await platform.deleteVm(settings.access, action.value);
          return {
            response_type: 'ephemeral',
            replace_original: false,
            text: `Deleting VM ${vm.name} (requested by <@${action.userId}>).`,
          };
        });
        return { status: 200, body: { accepted: true, action: 'delete started' } };
      }
      return { status: 200, body: { accepted: true, action: `ignored: ${action.actionId}` } };
    },

    async notify(notification: Notification): Promise<void> {
      if (!settings.channel) return;
      const message = await notificationMessage(notification, platform, settings.access);
      await client.postMessage(settings.channel, message);
    },

    health(): IntegrationHealth {
      const last = calls.latest();
      const parts = [
        settings.channel ? `notifications to ${settings.channel}` : 'no notification channel',
        lastRequest ? `last request at ${lastRequest.toISOString()}` : 'no request yet',
        `${background.size} command(s) in progress`,
      ];
      if (last) parts.push(`last call ${last.ok ? 'ok' : 'failed'}: ${last.message}`);
      return { ok: last?.ok ?? true, message: parts.join('; ') };
    },

    async close() {
      await background.drain(CLOSE_WAIT_MS);
    },
  };
}
