import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AetherError } from '../../core/errors.js';
import type { IntegrationHealth, WebhookAnswer, WebhookRequest } from '../../core/integrations.js';
import type { Access } from '../../core/principal.js';
import { BackgroundWork } from '../background.js';
import type { Integration, IntegrationContext, Notification } from '../contract.js';
import { CallRecord } from '../http-json.js';
import { runInFreshVm, type VmRunResult } from '../run-in-vm.js';
import { singleHeader } from '../verify.js';
import { appAuth, type GitHubAuth, tokenAuth } from './app-auth.js';
import { checkoutOnHost, type HostCheckout } from './checkout.js';
import { GitHubClient, type RepoRef } from './client.js';
import { type CommentCommand, fenced, parseCommentCommand } from './commands.js';
import {
  type IssueCommentPayload,
  installationOf,
  isIssueComment,
  isPullRequest,
  type PullRequestPayload,
  type RepositoryPayload,
} from './payloads.js';
import { GITHUB_SIGNATURE_HEADER, verifyGitHubSignature } from './signature.js';

export interface GitHubSettings {
  webhookSecret: string;
  /** Token auth; empty when the App is used. */
  token: string;
  app: { id: string; privateKeyPem: string; installationId?: number } | null;
  apiUrl: string;
  /** Run for each opened or updated PR; empty = no checks. */
  checkCommand: string;
  /** `owner/name` (lowercase) allowed to run work; empty = any whose webhooks are signed. */
  repositories: readonly string[];
  /** Where the VMs go. */
  access: Access;
  /** Deadline of each step (create, unpack, command). */
  runTimeoutMs: number;
}

/** GitHub redelivers a delivery with the same id; one seen within this long is a replay. */
export const DELIVERY_TTL_MS = 7 * 24 * 3_600_000;
/** The commit status context checks report under. */
export const STATUS_CONTEXT = 'aetherium/check';
const CLOSE_WAIT_MS = 30_000;

/** What happened to a run, in the words of a comment. */
function resultComment(spec: { command: string; sha: string }, result: VmRunResult): string {
  const verdict = result.error
    ? `did not finish: ${result.error}`
    : result.timedOut
      ? 'timed out'
      : `exited with code ${result.exitCode}`;
  const seconds = (result.durationMs / 1000).toFixed(1);
  return [
    `**Aetherium** ran \`${spec.command.replaceAll('`', "'")}\` at ${spec.sha.slice(0, 12)}: ${verdict} (${seconds} s).`,
    '',
    result.outputTail ? fenced(result.outputTail) : '_(no output)_',
  ].join('\n');
}

export function createGitHubIntegration(settings: GitHubSettings, context: IntegrationContext): Integration {
  const calls = new CallRecord();
  const auth: GitHubAuth = settings.app
    ? appAuth({
        apiUrl: settings.apiUrl,
        appId: settings.app.id,
        privateKeyPem: settings.app.privateKeyPem,
        ...(settings.app.installationId === undefined ? {} : { installationId: settings.app.installationId }),
      })
    : tokenAuth(settings.token);
  const client = new GitHubClient(settings.apiUrl, auth, calls);
  const logger = context.logger.child({ integration: 'github' });
  const background = new BackgroundWork(logger);
  let lastDelivery: { at: Date; event: string } | null = null;

  const allowed = (repo: RepositoryPayload) =>
    settings.repositories.length === 0 || settings.repositories.includes(repo.full_name.toLowerCase());
  const refOf = (repo: RepositoryPayload): RepoRef => ({ owner: repo.owner.login, repo: repo.name });

  /**
   * Checks out `ref` of `cloneUrl` on the host, runs `command` in a fresh VM with it, cleans up.
   * With `collect`, the VM's tree is handed to it, with the checkout, before the VM is deleted.
   */
  async function runAt(
    label: string,
    cloneUrl: string,
    ref: string,
    command: string,
    installation: number | undefined,
    collect?: (workspace: Readable, result: VmRunResult, checkout: HostCheckout) => Promise<void>,
  ): Promise<VmRunResult> {
    const checkout = await checkoutOnHost(cloneUrl, ref, await client.token(installation));
    try {
      return await runInFreshVm(context.platform, settings.access, {
        label,
        command,
        workspaceTar: () => checkout.packed(),
        timeoutMs: settings.runTimeoutMs,
        ...(collect ? { collectChanges: (workspace, result) => collect(workspace, result, checkout) } : {}),
      });
    } finally {
      await checkout.dispose();
    }
  }

  async function onComment(payload: IssueCommentPayload, wanted: CommentCommand): Promise<void> {
    const ref = refOf(payload.repository);
    const installation = installationOf(payload);
    const number = payload.issue.number;
    const user = payload.comment.user.login;
    if (!(await client.canWrite(ref, user, installation))) {
      await client.comment(
        ref,
        number,
        `@${user} only people with write access can run \`/aether\` commands here.`,
        installation,
      );
      return;
    }
    // A PR runs at its head (the fork's, if any); an issue at the default branch.
    const pull = payload.issue.pull_request ? await client.pull(ref, number, installation) : null;
    const cloneUrl = pull?.cloneUrl ?? payload.repository.clone_url;
    const at = pull?.headSha ?? `origin/${payload.repository.default_branch}`;
    const label = `gh-${pull ? 'pr' : 'issue'}-${number}`;
    try {
      if (wanted.kind === 'run') {
        const result = await runAt(label, cloneUrl, at, wanted.command, installation);
        await client.comment(
          ref,
          number,
          resultComment({ command: wanted.command, sha: at }, result),
          installation,
        );
        return;
      }
      const base = pull?.headRef ?? payload.repository.default_branch;
      const branch = `aether/${number}-${randomBytes(4).toString('hex')}`;
      // The branch is pushed where the checkout came from; only a same-repository PR gets one,
      // and a fork's tree is not even read back.
      const pushable = cloneUrl === payload.repository.clone_url;
      let pushed = false;
      const push = async (workspace: Readable, run: VmRunResult, checkout: HostCheckout) => {
        if (run.exitCode !== 0) return;
        pushed = await checkout.pushChanges(
          workspace,
          branch,
          `${wanted.command}\n\nRequested by @${user} in #${number}.`,
        );
      };
      const result = await runAt(
        label,
        cloneUrl,
        at,
        wanted.command,
        installation,
        pushable ? push : undefined,
      );
      let text = resultComment({ command: wanted.command, sha: at }, result);
      if (pushed) {
        const created = await client.createPull(
          ref,
          {
            title: `Aetherium: ${wanted.command}`.slice(0, 200),
            head: branch,
            base,
            body: `Changes made by \`${wanted.command.replaceAll('`', "'")}\`, requested by @${user} in #${number}.`,
          },
          installation,
        );
        text += `\n\nOpened #${created.number} with the changes.`;
      } else if (result.exitCode === 0) {
        text += '\n\nNo pull request: the command changed nothing, or the head is in a fork.';
      }
      await client.comment(ref, number, text, installation);
    } catch (error) {
      const message = error instanceof AetherError ? `${error.code}: ${error.message}` : String(error);
      await client.comment(
        ref,
        number,
        `**Aetherium** could not run \`${wanted.command.replaceAll('`', "'")}\`: ${message}`,
        installation,
      );
      throw error;
    }
  }

  async function onPullRequest(payload: PullRequestPayload): Promise<void> {
    const ref = refOf(payload.repository);
    const installation = installationOf(payload);
    const { head, base } = payload.pull_request;
    const state = (s: 'pending' | 'success' | 'failure' | 'error', description: string) =>
      client.status(ref, head.sha, { state: s, description, context: STATUS_CONTEXT }, installation);
    await state('pending', `running ${settings.checkCommand}`);
    try {
      const result = await runAt(
        `gh-check-${payload.pull_request.number}`,
        head.repo?.clone_url ?? base.repo.clone_url,
        head.sha,
        settings.checkCommand,
        installation,
      );
      const seconds = (result.durationMs / 1000).toFixed(1);
      if (result.error) await state('error', `did not finish: ${result.error}`);
      else if (result.exitCode === 0) await state('success', `exit 0 in ${seconds} s`);
      else await state('failure', result.timedOut ? 'timed out' : `exit ${result.exitCode} in ${seconds} s`);
    } catch (error) {
      await state('error', error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  return {
    name: 'github',

    async handleWebhook(request: WebhookRequest): Promise<WebhookAnswer> {
      if (
        !verifyGitHubSignature(
          settings.webhookSecret,
          request.rawBody,
          singleHeader(request.headers, GITHUB_SIGNATURE_HEADER),
        )
      ) {
        throw new AetherError(
          'ERR_WEBHOOK_UNVERIFIED',
          'the X-Hub-Signature-256 header is missing or is not the signature of this body under the webhook secret',
        );
      }
      const delivery = singleHeader(request.headers, 'x-github-delivery');
      const event = singleHeader(request.headers, 'x-github-event');
      if (!delivery || !/^[A-Za-z0-9-]{1,128}$/.test(delivery) || !event) {
        throw new AetherError(
          'ERR_VALIDATION',
          'a GitHub delivery needs X-GitHub-Delivery and X-GitHub-Event headers',
        );
      }
      if (!(await context.claimDelivery(delivery, DELIVERY_TTL_MS))) {
        throw new AetherError(
          'ERR_WEBHOOK_REPLAYED',
          `delivery ${delivery} was already taken; a replay does nothing`,
          {
            details: { delivery },
          },
        );
      }
      lastDelivery = { at: new Date(context.now()), event };
      let payload: unknown;
      try {
        payload = JSON.parse(request.rawBody.toString('utf8'));
      } catch {
        throw new AetherError(
          'ERR_BAD_JSON',
          'the delivery is not JSON: set the webhook content type to application/json',
        );
      }
      if (event === 'ping') return { status: 200, body: { accepted: true, action: 'pong' } };
      if (event === 'issue_comment' && isIssueComment(payload)) {
        // Bots (this integration's own answers among them) start nothing.
        const wanted =
          payload.action === 'created' && payload.comment.user.type !== 'Bot'
            ? parseCommentCommand(payload.comment.body)
            : null;
        if (!wanted) return { status: 200, body: { accepted: true, action: 'ignored: no /aether command' } };
        if (!allowed(payload.repository))
          return { status: 200, body: { accepted: true, action: 'ignored: repository not allowed' } };
        background.start(
          `github ${wanted.kind} in ${payload.repository.full_name}#${payload.issue.number}`,
          () => onComment(payload, wanted),
        );
        return { status: 202, body: { accepted: true, action: `${wanted.kind} started` } };
      }
      if (event === 'pull_request' && isPullRequest(payload)) {
        if (!['opened', 'synchronize', 'reopened'].includes(payload.action) || !settings.checkCommand) {
          return { status: 200, body: { accepted: true, action: 'ignored: no check for this action' } };
        }
        if (!allowed(payload.repository))
          return { status: 200, body: { accepted: true, action: 'ignored: repository not allowed' } };
        background.start(
          `github check of ${payload.repository.full_name}#${payload.pull_request.number}`,
          () => onPullRequest(payload),
        );
        return { status: 202, body: { accepted: true, action: 'check started' } };
      }
      return { status: 200, body: { accepted: true, action: `ignored: ${event}` } };
    },

    async notify(_notification: Notification): Promise<void> {
      // Runs started from a PR or an issue answer there themselves; GitHub has no channel for
      // other platform events.
    },

    health(): IntegrationHealth {
      const last = calls.latest();
      const parts = [
        `${auth.kind === 'app' ? 'App' : 'token'} auth`,
        settings.checkCommand ? 'PR checks on' : 'PR checks off',
        lastDelivery
          ? `last delivery ${lastDelivery.event} at ${lastDelivery.at.toISOString()}`
          : 'no delivery yet',
        `${background.size} run(s) in progress`,
      ];
      if (last) parts.push(`last API call ${last.ok ? 'ok' : 'failed'}: ${last.message}`);
      return { ok: last?.ok ?? true, message: parts.join('; ') };
    },

    async close() {
      await background.drain(CLOSE_WAIT_MS);
    },
  };
}
