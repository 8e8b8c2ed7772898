/**
 * GitHub and Slack end to end, from an embedded node (process driver) to a local stand-in for
 * both services: a signed PR comment runs the command in a fresh VM with the repository checked
 * out at the PR head (cloned on the host over git's smart HTTP from the fake, with the token as
 * an extra header that never enters the VM, and carried into the VM as a tar stream through the
 * data plane, never in a task row) and the result comes back as a comment; a PR opened gets
 * commit statuses; `/aether pr` reads the VM's tree back the same way, pushes a branch and opens
 * a PR, and refuses a workspace swapped for a symlink; a signed slash command is
 * acknowledged within 3 s and its result reaches the response URL; a failed task is posted to
 * the notification channel with a button whose press deletes the VM.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACCESS } from '../../src/core/principal.js';
import { signGitHubBody } from '../../src/integrations/github/signature.js';
import { signSlackRequest } from '../../src/integrations/slack/signature.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { type FakeServices, type RecordedRequest, startFakeServices } from '../support/fake-github-slack.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('GitHub and Slack integrations');
const GITHUB_SECRET = randomBytes(20).toString('hex');
const SLACK_SECRET = randomBytes(16).toString('hex');
const TOKEN = `ghp_${randomBytes(16).toString('hex')}`;
const BOT_TOKEN = `xoxb-${randomBytes(8).toString('hex')}`;
const GIT_ENV = {
  PATH: process.env.PATH,
  HOME: os.tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();

/** GitHub's `repository` object, the fields webhooks carry. */
function repository(fake: FakeServices) {
  return {
    id: 1296269,
    name: 'widgets',
    full_name: 'acme/widgets',
    private: false,
    owner: { login: 'acme', id: 1, type: 'Organization' },
    html_url: 'https://github.com/acme/widgets',
    clone_url: `${fake.gitBase}/acme/widgets.git`,
    default_branch: 'main',
  };
}

describe.skipIf(!canRun)('GitHub and Slack integrations', () => {
  let node: TestNode;
  let fake: FakeServices;
  let gitRoot: string;
  let work: string;
  let featureSha: string;

  const deliver = async (event: string, payload: unknown) => {
    const body = JSON.stringify(payload);
    return node.client.sendWebhook('github', body, {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/abc123',
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      'x-github-hook-id': '42',
      'x-hub-signature-256': signGitHubBody(GITHUB_SECRET, body),
    });
  };
  const slash = (form: Record<string, string>) => {
    const body = new URLSearchParams(form).toString();
    const timestamp = String(Math.floor(Date.now() / 1000));
    return node.client.sendWebhook('slack', body, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signSlackRequest(SLACK_SECRET, timestamp, body),
    });
  };
  const slashCommand = (command: string, text: string, responseUrl: string) =>
    slash({
      token: 'deprecated-verification-token',
      team_id: 'T0001',
      team_domain: 'acme',
      channel_id: 'C2147483705',
      channel_name: 'ops',
      user_id: 'U2147483697',
      user_name: 'alice',
      command,
      text,
      api_app_id: 'A123456',
      response_url: responseUrl,
      trigger_id: '13345224609.738474920.8088930838d88f008e0',
    });
  const comment = (number: number, body: string, login: string, isPull = true) =>
    deliver('issue_comment', {
      action: 'created',
      issue: {
        number,
        title: 'Make widgets faster',
        state: 'open',
        user: { login: 'bob' },
        ...(isPull ? { pull_request: { url: `${fake.githubApi}/repos/acme/widgets/pulls/${number}` } } : {}),
      },
      comment: { id: 1, body, user: { login, id: 7, type: 'User' }, author_association: 'MEMBER' },
      repository: repository(fake),
      sender: { login, id: 7, type: 'User' },
    });
  const commentsOn = (number: number) => (r: RecordedRequest) =>
    r.method === 'POST' && r.path === `/github/repos/acme/widgets/issues/${number}/comments`;

  beforeAll(async () => {
    gitRoot = mkdtempSync(path.join(os.tmpdir(), 'aether-git-'));
    work = mkdtempSync(path.join(os.tmpdir(), 'aether-work-'));
    // A repository with a main branch and a PR branch whose head has a file main lacks.
    const bare = path.join(gitRoot, 'acme', 'widgets.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare], { env: GIT_ENV });
    git(work, 'init', '--quiet', '--initial-branch=main');
    writeFileSync(path.join(work, 'README.md'), 'widgets on main\n');
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'main');
    git(work, 'checkout', '--quiet', '-b', 'feature');
    writeFileSync(path.join(work, 'feature.txt'), 'the PR head is checked out\n');
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'feature');
    featureSha = git(work, 'rev-parse', 'HEAD');
    git(work, 'push', '--quiet', bare, 'main', 'feature');

    fake = await startFakeServices({ gitRoot });
    fake.permissions.set('alice', 'write');
    fake.permissions.set('mallory', 'read');
    fake.pulls.set(7, {
      number: 7,
      headSha: featureSha,
      headRef: 'feature',
      baseRef: 'main',
      cloneUrl: `${fake.gitBase}/acme/widgets.git`,
    });
    node = await startTestNode({
      GITHUB_TOKEN: TOKEN,
      GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
      AETHER_GITHUB_API_URL: fake.githubApi,
      AETHER_GITHUB_CHECK_COMMAND: 'test -f feature.txt && echo check ok',
      AETHER_GITHUB_REPOSITORIES: 'acme/widgets',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      AETHER_SLACK_API_URL: fake.slackApi,
      AETHER_SLACK_CHANNEL: 'C0NOTIFY',
      AETHER_INTEGRATIONS_SUBSCRIPTIONS: 'task.failed=slack',
      AETHER_INTEGRATIONS_PROJECT: 'bots',
    });
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
    await fake?.close();
    rmSync(gitRoot, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('runs `/aether run` from a PR comment at the PR head and comments the result', async () => {
    const answer = await comment(
      7,
      'Could you check this?\n/aether run cat feature.txt; env | grep -c ghp_ ; grep -rc ghp_ .git | grep -v :0 ; exit 3',
      'alice',
    );
    expect(answer).toMatchObject({ accepted: true, action: 'run started' });
    const posted = await fake.waitFor(commentsOn(7), 90_000);
    const body = (posted.json as { body: string }).body;
    expect(body).toContain('exited with code 3');
    expect(body).toContain(featureSha.slice(0, 12));
    expect(body).toContain('the PR head is checked out');
    // The token is in no environment variable and no file of the VM's checkout.
    expect(body).not.toContain(TOKEN);
    expect(body).toMatch(/\n0\n/);
    // Every call to GitHub carried the token; the clone sent it as a header, never in the URL.
    expect(posted.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const basic = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
    expect(fake.gitAuth).toContain(basic);
    const permission = fake.requests.find((r) => r.path.endsWith('/collaborators/alice/permission'));
    expect(permission).toBeDefined();
    // The VM is gone, and it ran in the integrations' project.
    const vms = await node.node.services.vms.list(SYSTEM_ACCESS, { includeDeleted: true });
    expect(vms.length).toBeGreaterThan(0);
    for (const vm of vms) {
      expect(vm.project).toBe('bots');
      expect(vm.status).toBe('deleted');
    }
  }, 120_000);

  it('refuses commands from users without write access, with a comment and no VM', async () => {
    const before = (await node.node.services.vms.list(SYSTEM_ACCESS, { includeDeleted: true })).length;
    await comment(8, '/aether run rm -rf /', 'mallory');
    const posted = await fake.waitFor(commentsOn(8));
    expect((posted.json as { body: string }).body).toMatch(/only people with write access/);
    expect((await node.node.services.vms.list(SYSTEM_ACCESS, { includeDeleted: true })).length).toBe(before);
    // A comment without a command does nothing at all.
    expect(await comment(9, 'LGTM', 'alice')).toMatchObject({ action: 'ignored: no /aether command' });
  }, 60_000);

  it('runs the check command for an opened PR and reports commit statuses', async () => {
    const answer = await deliver('pull_request', {
      action: 'opened',
      number: 7,
      pull_request: {
        number: 7,
        state: 'open',
        title: 'Make widgets faster',
        user: { login: 'bob' },
        head: { sha: featureSha, ref: 'feature', repo: repository(fake) },
        base: { sha: 'ignored', ref: 'main', repo: repository(fake) },
      },
      repository: repository(fake),
      sender: { login: 'bob' },
    });
    expect(answer).toMatchObject({ action: 'check started' });
    const statusPath = `/github/repos/acme/widgets/statuses/${featureSha}`;
    const done = await fake.waitFor(
      (r) => r.path === statusPath && (r.json as { state: string }).state !== 'pending',
      90_000,
    );
    expect(done.json).toMatchObject({ state: 'success', context: 'aetherium/check' });
    const states = fake.requests
      .filter((r) => r.path === statusPath)
      .map((r) => (r.json as { state: string }).state);
    expect(states).toEqual(['pending', 'success']);
  }, 120_000);

  it('opens a pull request with the changes a command made (`/aether pr`)', async () => {
    await comment(7, '/aether pr echo generated > generated.txt && rm feature.txt', 'alice');
    const opened = await fake.waitFor(
      (r) => r.method === 'POST' && r.path === '/github/repos/acme/widgets/pulls',
      90_000,
    );
    const pull = opened.json as { head: string; base: string; title: string };
    expect(pull.base).toBe('feature');
    expect(pull.head).toMatch(/^aether\/7-[0-9a-f]{8}$/);
    // The branch reached the repository, with the VM's changes and only them.
    const bare = path.join(gitRoot, 'acme', 'widgets.git');
    expect(git(bare, 'show', `${pull.head}:generated.txt`)).toBe('generated');
    expect(git(bare, 'diff', '--name-status', featureSha, pull.head).split('\n').sort()).toEqual([
      'A\tgenerated.txt',
      'D\tfeature.txt',
    ]);
    const posted = await fake.waitFor(
      (r) => commentsOn(7)(r) && (r.json as { body: string }).body.includes('Opened #'),
      30_000,
    );
    expect((posted.json as { body: string }).body).toMatch(/Opened #\d+ with the changes/);
  }, 120_000);

  it('refuses to push when the command swapped the workspace for a symlink out of it', async () => {
    const pullsBefore = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pulls')).length;
    await comment(11, '/aether pr cd .. && rm -rf repo && ln -s / repo', 'alice', false);
    const posted = await fake.waitFor(commentsOn(11), 90_000);
    expect((posted.json as { body: string }).body).toMatch(/could not run .*ERR_NOT_A_DIRECTORY/s);
    const pullsAfter = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pulls')).length;
    expect(pullsAfter).toBe(pullsBefore);
    const bare = path.join(gitRoot, 'acme', 'widgets.git');
    expect(git(bare, 'for-each-ref', '--format=%(refname)', 'refs/heads/aether/11-*')).toBe('');
  }, 120_000);

  it('ships a 30 MiB repository into the VM, and keeps no repository byte in any task row', async () => {
    // A PR whose head adds 30 MiB that do not compress: far more than a task row should carry.
    const bare = path.join(gitRoot, 'acme', 'widgets.git');
    git(work, 'checkout', '--quiet', '-b', 'big', featureSha);
    writeFileSync(path.join(work, 'big.bin'), randomBytes(30 * 1024 ** 2));
    git(work, 'add', 'big.bin');
    git(work, 'commit', '--quiet', '-m', 'big');
    const bigSha = git(work, 'rev-parse', 'HEAD');
    git(work, 'push', '--quiet', bare, 'big');
    fake.pulls.set(12, {
      number: 12,
      headSha: bigSha,
      headRef: 'big',
      baseRef: 'main',
      cloneUrl: `${fake.gitBase}/acme/widgets.git`,
    });
    await comment(12, '/aether run wc -c < big.bin && cat feature.txt', 'alice');
    const posted = await fake.waitFor(commentsOn(12), 150_000);
    const body = (posted.json as { body: string }).body;
    expect(body).toContain('exited with code 0');
    expect(body).toContain(String(30 * 1024 ** 2));
    expect(body).toContain('the PR head is checked out');

    // Every task of every run so far: small payloads, no stdin, none of the repository's text.
    const tasks = await node.node.backends.store.listTasks({ limit: 10_000 });
    const executes = tasks.filter((t) => t.type === 'vm:execute');
    expect(executes.length).toBeGreaterThan(0);
    for (const task of tasks) {
      const row = JSON.stringify({ payload: task.payload, result: task.result });
      expect(row.length, `task ${task.id} (${task.type})`).toBeLessThan(4096);
      expect(row).not.toContain('the PR head is checked out');
      expect(row).not.toContain('widgets on main');
      if (task.type === 'vm:execute') {
        const { exec } = task.payload as { exec: { stdin: string | null } };
        expect(exec.stdin ?? null, `task ${task.id}`).toBeNull();
      }
    }
  }, 200_000);

  it('acknowledges /aetherium-task within 3 s and posts the result to response_url', async () => {
    const responsePath = `/slack/respond/${randomUUID()}`;
    const started = performance.now();
    const ack = await slashCommand(
      '/aetherium-task',
      'echo hello from a vm; uname -s',
      `${fake.url}${responsePath}`,
    );
    const ackMs = performance.now() - started;
    expect(ackMs).toBeLessThan(3000);
    expect(ack).toMatchObject({ response_type: 'ephemeral' });
    expect(ack.text).toMatch(/Running `echo hello from a vm; uname -s`/);
    const result = await fake.waitFor((r) => r.path === responsePath, 90_000);
    const message = result.json as {
      text: string;
      response_type: string;
      blocks: { type: string; elements?: { action_id: string; value: string }[] }[];
    };
    expect(message.response_type).toBe('in_channel');
    expect(message.text).toContain('exited with code 0');
    expect(JSON.stringify(message.blocks)).toContain('hello from a vm');
    const rerun = message.blocks.find((b) => b.type === 'actions')!.elements![0]!;
    expect(rerun).toMatchObject({ action_id: 'aether_rerun', value: 'echo hello from a vm; uname -s' });
    console.log(`slash command acknowledged in ${ackMs.toFixed(0)} ms`);

    // The Re-run button comes back as a signed block_actions payload.
    const again = `/slack/respond/${randomUUID()}`;
    await slash({
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: 'U2147483697', username: 'alice', team_id: 'T0001' },
        api_app_id: 'A123456',
        team: { id: 'T0001', domain: 'acme' },
        channel: { id: 'C2147483705', name: 'ops' },
        response_url: `${fake.url}${again}`,
        trigger_id: '13345224609.738474920.8088930838d88f008e0',
        actions: [{ ...rerun, block_id: 'b1', type: 'button', action_ts: '1548426417.840180' }],
      }),
    });
    const rerunResult = await fake.waitFor((r) => r.path === again, 90_000);
    expect((rerunResult.json as { text: string }).text).toContain('exited with code 0');
  }, 200_000);

  it('answers /aetherium-status and /aetherium-vm-list through response_url', async () => {
    const statusPath = `/slack/respond/${randomUUID()}`;
    await slashCommand('/aetherium-status', '', `${fake.url}${statusPath}`);
    const status = (await fake.waitFor((r) => r.path === statusPath)).json as { text: string };
    expect(status.text).toMatch(/^Aetherium is ready: 1 active worker\(s\), \d+ task\(s\) queued$/);
    const listPath = `/slack/respond/${randomUUID()}`;
    await slashCommand('/aetherium-vm-list', '', `${fake.url}${listPath}`);
    const list = (await fake.waitFor((r) => r.path === listPath)).json as { text: string };
    expect(list.text).toMatch(/live VM\(s\) in project bots/);
  }, 60_000);

  it('posts a failed task to the channel with Block Kit, and its Delete VM button deletes the VM', async () => {
    const access = { project: 'bots', all: false };
    const { vm, task } = await node.node.services.vms.create(access, {
      name: `notify-${randomBytes(3).toString('hex')}`,
    });
    await node.node.services.tasks.wait(task.id, 60_000);
    const run = await node.node.services.executions.start(access, vm.id, {
      command: 'no-such-command-anywhere',
    });
    const failed = await node.node.services.tasks.wait(run.task.id, 60_000);
    expect(failed.status).toBe('failed');
    const posted = await fake.waitFor(
      (r) => r.path === '/slack/api/chat.postMessage' && JSON.stringify(r.json).includes(vm.name),
      30_000,
    );
    expect(posted.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    const message = posted.json as {
      channel: string;
      text: string;
      blocks: { type: string; elements?: { action_id: string; value: string }[] }[];
    };
    expect(message.channel).toBe('C0NOTIFY');
    expect(message.text).toMatch(/^Task vm:execute failed: ERR_EXEC_SPAWN_FAILED/);
    const del = message.blocks.find((b) => b.type === 'actions')!.elements![0]!;
    expect(del).toMatchObject({ action_id: 'aether_delete_vm', value: vm.id });
    const responsePath = `/slack/respond/${randomUUID()}`;
    await slash({
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: 'U2147483697' },
        response_url: `${fake.url}${responsePath}`,
        actions: [{ ...del, block_id: 'b2', type: 'button' }],
      }),
    });
    expect(((await fake.waitFor((r) => r.path === responsePath)).json as { text: string }).text).toMatch(
      /^Deleting VM/,
    );
  }, 120_000);

  it('reports each integration in /api/v1/health, without secrets', async () => {
    const health = await node.client.health();
    expect(health.integrations?.github?.ok).toBe(true);
    expect(health.integrations?.slack?.ok).toBe(true);
    expect(health.integrations?.github?.message).toMatch(/token auth; PR checks on; last delivery/);
    const text = JSON.stringify(health);
    for (const secret of [TOKEN, BOT_TOKEN, GITHUB_SECRET, SLACK_SECRET]) expect(text).not.toContain(secret);
  });
});
