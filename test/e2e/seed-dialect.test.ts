/**
 * The original Go system's documented `curl` requests and classic CLI invocations, replayed
 * against a real node (process driver, Loki and GitHub/Slack stand-ins so `/health` has every
 * component): real `curl` processes, and the built CLI (`node bin/aether.js`). Each call is in
 * ./seed-dialect/documented-calls.ts with the file and heading it comes from; the answers are
 * checked for what those docs promise. docs/compatibility.md says what differs and why.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { type FakeServices, startFakeServices } from '../support/fake-github-slack.js';
import { type FakeLoki, startFakeLoki } from '../support/fake-loki.js';
import { runCommand } from '../support/run-command.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { CLI, CURL, type DocumentedCall } from './seed-dialect/documented-calls.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/aether.js');
const canRun = await sandboxesAvailable("the original system's documented requests");

type Json = Record<string, unknown>;
interface Answer {
  status: number;
  body: Json;
  text: string;
}

/** The built CLI must hold the classic flags as the source has them: `npm run build` otherwise. */
function requireFreshBuild(): void {
  const built = path.join(ROOT, 'dist/cli/legacy.js');
  const source = path.join(ROOT, 'src/cli/legacy.ts');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs) {
    throw new Error('dist/ is missing or older than src/cli/legacy.ts: run `node scripts/build.mjs` first');
  }
}

describe.skipIf(!canRun)("the original system's documented requests", () => {
  let node: TestNode;
  let loki: FakeLoki;
  let fakes: FakeServices;
  let gitRoot: string;
  let key: string;
  let devVmId: string;

  /** The call with this node's address and key, and the placeholders filled in. */
  const filled = (call: DocumentedCall, vars: Record<string, string> = {}) =>
    call.argv.map((arg) => {
      let out = arg
        .replaceAll('http://localhost:8080', node.url.replace(/\/+$/, ''))
        .replaceAll('your-api-key', key);
      if (vars.VM_ID) out = out.replaceAll('$VM_ID', vars.VM_ID).replaceAll('"uuid"', `"${vars.VM_ID}"`);
      if (vars.TASK_ID) out = out.replaceAll('$TASK_ID', vars.TASK_ID);
      return out;
    });

  /** `curl` as documented (its own key header kept; ours added where it sends none). */
  async function curl(call: DocumentedCall, vars: Record<string, string> = {}): Promise<Answer> {
    const argv = filled(call, vars);
    const auth = argv.some((arg) => arg.startsWith('X-API-Key:'))
      ? []
      : ['-H', `Authorization: Bearer ${key}`];
    const run = await runCommand(['curl', '-sS', '-w', '\n%{http_code}', ...argv, ...auth], {
      timeoutMs: 60_000,
    });
    expect(run.code, `${call.source}: ${run.stderr}`).toBe(0);
    const cut = run.stdout.lastIndexOf('\n');
    const text = run.stdout.slice(0, cut);
    let body: Json = {};
    try {
      body = JSON.parse(text) as Json;
    } catch {
      // Not JSON: the test says what it expected.
    }
    return { status: Number(run.stdout.slice(cut + 1)), body, text };
  }

  /** `./bin/aether-cli ARGS` as documented, run as `node bin/aether.js ARGS`. */
  async function cli(call: DocumentedCall, vars: Record<string, string> = {}) {
    const run = await runCommand([process.execPath, BIN, ...filled(call, vars)], {
      env: { ...process.env, AETHER_URL: node.url, AETHER_TOKEN: key },
      timeoutMs: 120_000,
    });
    let json: Json = {};
    try {
      json = JSON.parse(run.stdout) as Json;
    } catch {
      // An error: its text is on stderr.
    }
    return { ...run, json };
  }

  const ended = (taskId: string) => node.node.services.tasks.wait(taskId, 90_000);

  beforeAll(async () => {
    requireFreshBuild();
    gitRoot = mkdtempSync(path.join(os.tmpdir(), 'aether-seed-git-'));
    loki = await startFakeLoki();
    fakes = await startFakeServices({ gitRoot });
    node = await startTestNode({
      AETHER_LOG_PROVIDER: 'loki',
      AETHER_LOKI_URL: loki.url,
      GITHUB_TOKEN: `ghp_${randomBytes(16).toString('hex')}`,
      GITHUB_WEBHOOK_SECRET: randomBytes(20).toString('hex'),
      AETHER_GITHUB_API_URL: fakes.githubApi,
      SLACK_BOT_TOKEN: `xoxb-${randomBytes(8).toString('hex')}`,
      SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
      AETHER_SLACK_API_URL: fakes.slackApi,
    });
    key = node.node.localAdminKey!;
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
    await fakes?.close();
    await loki?.close();
    if (gitRoot) rmSync(gitRoot, { recursive: true, force: true });
  });

  describe('curl', () => {
    it('creates a VM from memory_mb, without tools (tools-and-provisioning.md)', async () => {
      const call = CURL.createVmForClaudeCodeDevelopment;
      const created = await curl(call);
      expect(created.status, `${call.source}: ${created.text}`).toBe(202);
      expect(created.body).toMatchObject({ task_id: expect.any(String), status: 'pending' });
      const task = await ended(created.body.task_id as string);
      expect(task.status, JSON.stringify(task.error)).toBe('completed');
      const vm = await node.client.getVm('claude-dev');
      expect(vm).toMatchObject({ status: 'running', vcpus: 2, memory_mib: 2048 });
      devVmId = vm.id;
    }, 120_000);

    it('maps nodejs and its version, sent with X-API-Key; a tool that needs the network fails the create (api-gateway.md)', async () => {
      const call = CURL.createVmWithClaudeCode;
      const created = await curl(call);
      expect(created.status, `${call.source}: ${created.text}`).toBe(202);
      expect(created.body).toMatchObject({ task_id: expect.any(String), status: 'pending' });
      const requested = (created.body.vm as { tools: { requested: Json[] } }).tools.requested;
      expect(requested).toEqual(
        expect.arrayContaining([
          { name: 'node', version: '20', required: true },
          { name: 'go', version: '1.23.0', required: true },
        ]),
      );
      // The original installed tools as best it could; here a required tool the VM cannot get
      // (no network on the process driver) fails the create, saying why.
      const task = await ended(created.body.task_id as string);
      expect(task.status).toBe('failed');
      expect(task.error?.code).toMatch(/^ERR_TOOL_/);
    }, 120_000);

    it('refuses docker, naming what to do instead (tools-and-provisioning.md)', async () => {
      const call = CURL.fullStackDevelopmentVm;
      const refused = await curl(call);
      expect(refused.status, call.source).toBe(400);
      expect(refused.body.error).toMatchObject({
        code: 'ERR_VALIDATION',
        message: expect.stringMatching(/tool "docker" has no counterpart here: .*"driver": "docker"/),
      });
    });

    it('executes a command, and answers the task with vm_id, exit_code and its output (api-gateway.md)', async () => {
      const vars = { VM_ID: devVmId };
      const started = await curl(CURL.executeCommandInVm, vars);
      expect(started.status, `${CURL.executeCommandInVm.source}: ${started.text}`).toBe(202);
      expect(started.body).toMatchObject({ task_id: expect.any(String), vm_id: devVmId, status: 'pending' });
      const taskId = started.body.task_id as string;
      await ended(taskId);

      const task = await curl(CURL.getTaskStatus, { ...vars, TASK_ID: taskId });
      expect(task.status, CURL.getTaskStatus.source).toBe(200);
      expect(task.body).toMatchObject({
        id: taskId,
        type: 'vm:execute',
        status: 'completed',
        created_at: expect.any(String),
      });
      // No network on the process driver: git cannot reach github.com, and says so.
      const result = task.body.result as Json;
      expect(result).toMatchObject({ vm_id: devVmId, exit_code: 128, stdout: '' });
      expect(result.stderr).toMatch(/github\.com/);
      // Ours stay beside them for our SDK.
      expect(result).toMatchObject({ exitCode: 128, executionId: expect.any(String) });

      const list = await curl(CURL.listExecutions, vars);
      expect(list.status, CURL.listExecutions.source).toBe(200);
      const [latest] = list.body.executions as Json[];
      expect(latest).toMatchObject({
        id: expect.any(String),
        vm_id: devVmId,
        command: 'git',
        args: ['clone', 'https://github.com/user/repo'],
        exit_code: 128,
        stdout: '',
        stderr: expect.stringMatching(/github\.com/),
        started_at: expect.any(String),
        completed_at: expect.any(String),
        duration_ms: expect.any(Number),
      });
    }, 120_000);

    it('takes a JSON body sent without its content type (IMPLEMENTATION-SUMMARY.md)', async () => {
      const call = CURL.executeClaudeCodeWithoutContentType;
      const started = await curl(call, { VM_ID: devVmId });
      expect(started.status, `${call.source}: ${started.text}`).toBe(202);
      expect(started.body).toMatchObject({ vm_id: devVmId, status: 'pending' });
      const execution = await node.client.getExecution(started.body.execution_id as string);
      expect(execution).toMatchObject({ command: 'claude-code', args: ['--version'] });
      await ended(started.body.task_id as string);
    }, 60_000);

    it('refuses a body that is clearly not JSON with 415, saying what to send', async () => {
      const form = await curl({
        source: 'ours: a form body',
        argv: ['-X', 'POST', 'http://localhost:8080/api/v1/vms', '-d', 'name=x&vcpus=1'],
      });
      expect(form.status).toBe(415);
      expect(form.body.error).toMatchObject({
        code: 'ERR_VALIDATION',
        message: expect.stringMatching(
          /send the body as JSON with "Content-Type: application\/json"; it came as "application\/x-www-form-urlencoded"/,
        ),
      });
      // Broken JSON is a broken JSON body, whatever its label.
      const broken = await curl({
        source: 'ours: broken JSON without its content type',
        argv: ['-X', 'POST', 'http://localhost:8080/api/v1/vms', '-d', '{"name": '],
      });
      expect(broken.status).toBe(400);
      expect((broken.body.error as Json).code).toBe('ERR_BAD_JSON');
      // Routes that take bytes say so.
      const upload = await curl(
        {
          source: 'ours: a file upload labelled as text',
          argv: [
            '-X',
            'PUT',
            'http://localhost:8080/api/v1/vms/$VM_ID/files?path=/tmp/x',
            '-H',
            'Content-Type: text/plain',
            '-d',
            'hello',
          ],
        },
        { VM_ID: devVmId },
      );
      expect(upload.status).toBe(415);
      expect((upload.body.error as Json).message).toMatch(/send the bytes as application\/octet-stream/);
      // A page on another site posts text/plain without a preflight: a browser's request (it
      // names its Origin) still needs the JSON type, or any site could drive a local node.
      const crossSite = await curl({
        source: 'ours: a text/plain POST from a page on another site',
        argv: [
          '-X',
          'POST',
          'http://localhost:8080/api/v1/vms',
          '-H',
          'Origin: https://evil.example',
          '-H',
          'Content-Type: text/plain',
          '-d',
          '{"name":"csrf"}',
        ],
      });
      expect(crossSite.status).toBe(415);
      expect((crossSite.body.error as Json).message).toMatch(/a browser's request .* is refused/);
      expect((await node.client.listVms()).map((vm) => vm.name)).not.toContain('csrf');
    });

    it('refuses a wrong X-API-Key as it refuses a wrong bearer token', async () => {
      const refused = await runCommand(
        ['curl', '-sS', '-w', '\n%{http_code}', '-H', 'X-API-Key: your-api-key', `${node.url}/api/v1/vms`],
        { timeoutMs: 30_000 },
      );
      expect(refused.stdout).toMatch(/"code":"ERR_UNAUTHENTICATED".*\n401$/s);
    });

    it('refuses memory_mb and memory_mib given with different values', async () => {
      const both = await curl({
        source: 'ours: both names of the memory',
        argv: [
          '-X',
          'POST',
          'http://localhost:8080/api/v1/vms',
          '-H',
          'Content-Type: application/json',
          '-d',
          '{"name": "both", "memory_mb": 512, "memory_mib": 1024}',
        ],
      });
      expect(both.status).toBe(400);
      expect((both.body.error as Json).message).toMatch(/memory_mb and memory_mib .* send only memory_mib/);
    });

    it("takes a numeric priority on the original's 0-10 scale (its models.go and asynq bands)", async () => {
      const started = await curl(
        {
          source:
            'services/gateway/pkg/api/models.go@HEAD (priority 0-10, default 5) with asynq.go getQueueForPriority',
          argv: [
            '-X',
            'POST',
            'http://localhost:8080/api/v1/vms/$VM_ID/execute',
            '-H',
            'Content-Type: application/json',
            '-d',
            '{"command": "echo", "args": ["hi"], "priority": 5}',
          ],
        },
        { VM_ID: devVmId },
      );
      expect(started.status, started.text).toBe(202);
      const task = await ended(started.body.task_id as string);
      expect(task.priority).toBe('high');
      const refused = await curl(
        {
          source: 'ours: past the scale',
          argv: [
            '-X',
            'POST',
            'http://localhost:8080/api/v1/vms/$VM_ID/execute',
            '-d',
            '{"command": "echo", "priority": 11}',
          ],
        },
        { VM_ID: devVmId },
      );
      expect(refused.status).toBe(400);
      expect((refused.body.error as Json).message).toMatch(/priority: 11 is not a whole number from 0 to 10/);
    }, 60_000);

    it('answers the log queries as documented, with or without a content type', async () => {
      for (const call of [CURL.queryLogs, CURL.queryLogsWithTimes, CURL.queryLogsWithoutContentType]) {
        const answer = await curl(call, { VM_ID: devVmId });
        expect(answer.status, `${call.source}: ${answer.text}`).toBe(200);
        expect(answer.body.lines, call.source).toEqual(expect.any(Array));
      }
    });

    it('lists the VMs (README.md)', async () => {
      const list = await curl(CURL.listAllVms);
      expect(list.status).toBe(200);
      expect(list.body.vms).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: devVmId, name: 'claude-dev', status: 'running' }),
        ]),
      );
    });

    it('reports every component in /health: store, queue, event bus, workers, Loki and each integration', async () => {
      const call = CURL.healthCheck;
      const health = await curl(call);
      expect(health.status, call.source).toBe(200);
      expect(health.body).toMatchObject({
        status: 'ok',
        components: {
          store: 'healthy',
          queue: 'healthy',
          event_bus: 'healthy',
          workers: 'healthy',
          loki: 'healthy',
          github: 'healthy',
          slack: 'healthy',
        },
        timestamp: expect.any(String),
      });
      const checks = health.body.checks as Record<string, { status: string; detail: string }>;
      expect(checks.workers).toEqual({
        status: 'healthy',
        detail: '1 active of 1 registered',
        latency_ms: expect.any(Number),
      });
      expect(checks.loki).toMatchObject({ status: 'healthy', detail: 'ready' });
    });
  });

  describe('the classic CLI', () => {
    let firstVmId: string;

    it('creates a VM with -type vm:create (QUICK-START.md)', async () => {
      const run = await cli(CLI.createFirstVm);
      expect(run.code, `${CLI.createFirstVm.source}: ${run.stderr}`).toBe(0);
      expect(run.json.vm).toMatchObject({ name: 'my-first-vm', status: 'running' });
      firstVmId = (run.json.vm as { id: string }).id;
    }, 120_000);

    it('runs commands with -type vm:execute, splitting -args on commas', async () => {
      const vars = () => ({ VM_ID: firstVmId });
      const nodeVersion = await cli(CLI.nodeVersion, vars());
      expect(nodeVersion.code, `${CLI.nodeVersion.source}: ${nodeVersion.stderr}`).toBe(0);
      expect((nodeVersion.json.execution as Json).stdout).toMatch(/^v\d+\.\d+\.\d+\n$/);

      const gitVersion = await cli(CLI.gitVersion, vars());
      expect(gitVersion.code, `${CLI.gitVersion.source}: ${gitVersion.stderr}`).toBe(0);
      expect((gitVersion.json.execution as Json).stdout).toMatch(/^git version \d/);

      // Its exit status is the command's: git cannot reach github.com without network.
      const clone = await cli(CLI.cloneRepository, vars());
      expect(clone.code, CLI.cloneRepository.source).toBe(128);
      expect(clone.json.execution).toMatchObject({ args: ['clone', 'https://github.com/user/repo'] });

      const shell = await cli(CLI.shellCommand, vars());
      expect(shell.json.execution, CLI.shellCommand.source).toMatchObject({
        command: 'sh',
        args: ['-c', 'cd /root/veil && claude-code'],
      });
      expect(shell.code).not.toBe(0);
    }, 120_000);

    it('takes -tools and -tool-versions, in both of their documented forms', async () => {
      for (const call of [CLI.createWithTools, CLI.createWithToolsColonVersions]) {
        const run = await cli(call);
        // The process driver has no network to install go: the create fails, saying so.
        expect(run.code, call.source).toBe(1);
        expect(run.stderr, call.source).toMatch(/ERR_TOOL_/);
        const name = call.argv[call.argv.indexOf('-name') + 1]!;
        const vm = await node.client.getVm(name);
        expect(vm.tools?.requested, call.source).toEqual(
          expect.arrayContaining([
            { name: 'go', version: '1.23.0', required: true },
            { name: 'python', version: '3.11', required: true },
          ]),
        );
      }
    }, 240_000);

    it('deletes a VM with -type vm:delete (README.md)', async () => {
      const run = await cli(CLI.deleteVm, { VM_ID: firstVmId });
      expect(run.code, `${CLI.deleteVm.source}: ${run.stderr}`).toBe(0);
      expect((await node.client.getVm(firstVmId)).status).toBe('deleted');
    }, 60_000);
  });
});
