/**
 * The reads a dashboard makes, on a real `aether up` with the process driver and two projects:
 * a VM's lifecycle timeline; tasks, executions and jobs across VMs with their filters; the
 * overview (VM counts, executions per minute with latency, failures, queue, workers); and the
 * admin-only views of the queue and of integrations with their recent webhooks. Each project's
 * key sees only its own records, an admin sees both.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AetherClient } from '@aetherium/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { signGitHubBody } from '../../src/integrations/github/signature.js';
import { apiError } from '../support/api-error.js';
import { useTestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('dashboard reads');
const GITHUB_SECRET = randomBytes(20).toString('hex');

const node = useTestNode(canRun, {
  // GitHub on, so `GET /integrations` has an integration; pings and ignored events call nothing out.
  GITHUB_TOKEN: 'ghp_dashboard_reads_test',
  GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
  AETHER_GITHUB_API_URL: 'http://127.0.0.1:9/',
  AETHER_INTEGRATIONS_SUBSCRIPTIONS: '',
});

const MINUTE_MS = 60_000;

describe.skipIf(!canRun)('the dashboard reads', () => {
  let admin: AetherClient;
  let alice: AetherClient;
  let bob: AetherClient;
  /** Ids of what each project made, to find (or not) in each other's answers. */
  const made = {
    aliceVm: '',
    aliceStoppedVm: '',
    aliceFailedVm: '',
    bobVm: '',
    aliceExecutions: [] as string[],
    failingExecution: '',
    aliceJob: '',
    bobExecution: '',
  };

  beforeAll(async () => {
    admin = node().client;
    const keyOf = async (project: string) =>
      new AetherClient({
        baseUrl: node().url,
        token: (await admin.createKey({ name: project, project })).secret,
      });
    alice = await keyOf('alice');
    bob = await keyOf('bob');

    made.aliceVm = (await alice.createVm({ name: 'dash-a' }, { wait: true })).vm.id;
    made.aliceStoppedVm = (await alice.createVm({ name: 'dash-stop' }, { wait: true })).vm.id;
    await alice.stopVm('dash-stop', { wait: true });
    // A create that fails: a tool that must be installed, in a VM without network.
    await apiError(alice.createVm({ name: 'dash-tools', additional_tools: ['typescript'] }, { wait: true }));
    made.aliceFailedVm = (await alice.listVms({ status: 'failed' })).find(
      (vm) => vm.name === 'dash-tools',
    )!.id;
    made.bobVm = (await bob.createVm({ name: 'dash-b' }, { wait: true })).vm.id;

    for (const args of [
      ['-c', 'true'],
      ['-c', 'sleep 0.2'],
      ['-c', 'echo hi'],
    ]) {
      const ran = await alice.execute('dash-a', { command: 'sh', args }, { wait: true });
      made.aliceExecutions.push(ran.execution_id);
    }
    const failing = await alice.execute('dash-a', { command: 'sh', args: ['-c', 'exit 3'] }, { wait: true });
    made.failingExecution = failing.execution_id;
    made.aliceExecutions.push(failing.execution_id);
    const job = await alice.runJob(
      'dash-a',
      { name: 'two-steps', steps: [{ command: 'true' }, { command: 'true' }] },
      { wait: true },
    );
    made.aliceJob = job.job.id;
    made.bobExecution = (await bob.execute('dash-b', { command: 'true' }, { wait: true })).execution_id;
  }, 180_000);

  it("list a VM's lifecycle, oldest first, each change with its reason", async () => {
    const events = await alice.listVmEvents('dash-stop');
    const path = events.map((event) => event.to_status);
    const at = (status: string) => path.indexOf(status);
    for (const status of ['creating', 'running', 'stopping', 'stopped']) expect(path).toContain(status);
    expect(at('creating')).toBeLessThan(at('running'));
    expect(at('running')).toBeLessThan(at('stopping'));
    expect(at('stopping')).toBeLessThan(at('stopped'));
    for (const [i, event] of events.entries()) {
      expect(event.reason.length, JSON.stringify(event)).toBeGreaterThan(0);
      expect(new Date(event.at).toISOString()).toBe(event.at);
      if (i > 0) {
        expect(event.from_status).toBe(events[i - 1]!.to_status);
        expect(event.at >= events[i - 1]!.at).toBe(true);
      }
    }
    expect(events[at('stopping')]!.reason).toMatch(/stop/);
    // By id as by name; another project's key learns nothing of it; an admin sees it.
    expect(await alice.listVmEvents(made.aliceStoppedVm)).toEqual(events);
    expect(await apiError(bob.listVmEvents('dash-stop'))).toMatchObject({
      status: 404,
      code: 'ERR_VM_NOT_FOUND',
    });
    expect(await apiError(bob.listVmEvents(made.aliceStoppedVm))).toMatchObject({
      status: 404,
      code: 'ERR_VM_NOT_FOUND',
    });
    expect(await admin.listVmEvents(made.aliceStoppedVm)).toEqual(events);
    const failed = await alice.listVmEvents(made.aliceFailedVm);
    expect(failed.at(-1)).toMatchObject({ to_status: 'failed' });
    expect(failed.at(-1)!.reason).toMatch(/ERR_TOOL_NEEDS_NETWORK|typescript/);
  });

  it('list tasks newest first, filtered, within the caller’s project', async () => {
    const tasks = await alice.listTasks();
    expect(tasks.length).toBeGreaterThanOrEqual(9);
    expect(new Set(tasks.map((task) => task.project))).toEqual(new Set(['alice']));
    const created = tasks.map((task) => task.created_at);
    expect(created).toEqual([...created].sort().reverse());
    expect(new Set(tasks.map((task) => task.type))).toEqual(
      new Set(['vm:create', 'vm:stop', 'vm:execute', 'job:run']),
    );

    const executes = await alice.listTasks({ type: 'vm:execute', vm: 'dash-a' });
    expect(executes).toHaveLength(4);
    expect(executes.every((task) => task.vm_id === made.aliceVm)).toBe(true);
    const failedCreates = await alice.listTasks({ status: 'failed', type: ['vm:create'] });
    expect(failedCreates.map((task) => task.vm_id)).toEqual([made.aliceFailedVm]);
    expect(failedCreates[0]!.error?.code).toBe('ERR_TOOL_NEEDS_NETWORK');
    // Repeated or comma-separated: the same filter.
    const repeated = await alice.listTasks({ status: ['completed', 'failed'] });
    const commas = await alice.request<{ tasks: { id: string }[] }>('GET', '/tasks', {
      query: { status: 'completed,failed' },
    });
    expect(commas.tasks.map((task) => task.id)).toEqual(repeated.map((task) => task.id));
    expect(repeated).toHaveLength(tasks.length);
    expect(await alice.listTasks({ limit: 2 })).toEqual(tasks.slice(0, 2));

    const bobs = await bob.listTasks();
    expect(bobs.length).toBeGreaterThan(0);
    expect(bobs.every((task) => task.project === 'bob')).toBe(true);
    expect(await apiError(bob.listTasks({ vm: 'dash-a' }))).toMatchObject({
      status: 404,
      code: 'ERR_VM_NOT_FOUND',
    });
    const everyone = await admin.listTasks({ limit: 500 });
    const ids = new Set(everyone.map((task) => task.id));
    for (const task of [...tasks, ...bobs]) expect(ids.has(task.id)).toBe(true);
  });

  it('list executions across VMs, filtered by outcome and VM, within the caller’s project', async () => {
    const executions = await alice.listAllExecutions();
    const ids = executions.map((execution) => execution.id);
    // The four commands and the job's two steps, newest first.
    expect(ids).toHaveLength(6);
    for (const id of made.aliceExecutions) expect(ids).toContain(id);
    expect(ids.indexOf(made.failingExecution)).toBeLessThan(ids.indexOf(made.aliceExecutions[0]!));
    expect(executions.every((execution) => execution.project === 'alice')).toBe(true);
    expect(ids).not.toContain(made.bobExecution);

    const exited = await alice.listAllExecutions({ status: 'exited', vm: made.aliceVm });
    expect(exited).toHaveLength(6);
    expect(await alice.listAllExecutions({ status: ['timed_out', 'signalled'] })).toEqual([]);
    expect((await alice.listAllExecutions({ vm: 'dash-stop' })).length).toBe(0);
    expect(await alice.listAllExecutions({ limit: 1 })).toEqual(executions.slice(0, 1));

    expect((await bob.listAllExecutions()).map((execution) => execution.id)).toEqual([made.bobExecution]);
    const everyone = (await admin.listAllExecutions({ limit: 500 })).map((execution) => execution.id);
    expect(everyone).toEqual(expect.arrayContaining([...ids, made.bobExecution]));
  });

  it('list jobs newest first, filtered, within the caller’s project', async () => {
    const jobs = await alice.listJobs();
    expect(jobs.map((job) => [job.id, job.status, job.name])).toEqual([
      [made.aliceJob, 'completed', 'two-steps'],
    ]);
    expect(await alice.listJobs({ status: ['failed', 'cancelled'] })).toEqual([]);
    expect((await alice.listJobs({ vm: 'dash-a', status: 'completed' })).map((job) => job.id)).toEqual([
      made.aliceJob,
    ]);
    expect(await bob.listJobs()).toEqual([]);
    expect((await admin.listJobs()).map((job) => job.id)).toContain(made.aliceJob);
  });

  it('refuse bad filters with 400 ERR_VALIDATION', async () => {
    for (const path of ['/tasks', '/executions', '/jobs']) {
      for (const query of [{ limit: 0 }, { limit: 100_000 }, { limit: 'many' }, { status: 'bogus' }]) {
        const error = await apiError(alice.request('GET', path, { query }));
        expect(error, `${path} ${JSON.stringify(query)}`).toMatchObject({
          status: 400,
          code: 'ERR_VALIDATION',
        });
      }
    }
    const badType = await apiError(alice.request('GET', '/tasks', { query: { type: 'vm:explode' } }));
    expect(badType).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect(badType.message).toContain('vm:create');
    const badOutcome = await apiError(
      alice.request('GET', '/executions', { query: { status: 'exited,nope' } }),
    );
    expect(badOutcome.message).toContain('nope');
  });

  it("give an overview of the caller's fleet: VMs, executions per minute, failures", async () => {
    const before = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    const overview = await alice.getOverview();
    const after = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;

    const vms = await alice.listVms();
    expect(overview.vms.total).toBe(vms.length);
    expect(overview.vms.by_status).toMatchObject({ running: 1, stopped: 1, failed: 1, creating: 0 });
    expect(overview.vms.by_status).not.toHaveProperty('deleted');
    expect(overview.vms.by_driver).toEqual({ process: 3 });

    const { executions } = overview;
    expect(executions.window_minutes).toBe(60);
    expect(executions.buckets).toHaveLength(60);
    const last = Date.parse(executions.buckets.at(-1)!.at);
    expect(last).toBeGreaterThanOrEqual(before);
    expect(last).toBeLessThanOrEqual(after);
    for (const [i, bucket] of executions.buckets.entries()) {
      expect(Date.parse(bucket.at)).toBe(last - (59 - i) * MINUTE_MS);
      if (bucket.count === 0) expect(bucket).toMatchObject({ failed: 0, p50_ms: null, p99_ms: null });
    }
    expect(executions.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(executions.count);
    expect(executions.count).toBe(6);
    expect(executions.failed).toBe(1);
    expect(executions.p50_ms).not.toBeNull();
    expect(executions.p99_ms).not.toBeNull();
    expect(executions.p99_ms!).toBeGreaterThanOrEqual(executions.p50_ms!);
    // `sleep 0.2` took at least 200 ms; p99 of six is close to the slowest.
    expect(executions.p99_ms!).toBeGreaterThanOrEqual(150);

    const failures = overview.failures;
    expect(failures).toContainEqual(
      expect.objectContaining({
        kind: 'execution',
        id: made.failingExecution,
        vm_id: made.aliceVm,
        type: 'execute',
        code: null,
        message: 'exit code 3',
      }),
    );
    expect(failures).toContainEqual(
      expect.objectContaining({
        kind: 'task',
        vm_id: made.aliceFailedVm,
        type: 'vm:create',
        code: 'ERR_TOOL_NEEDS_NETWORK',
      }),
    );
    const times = failures.map((failure) => failure.at);
    expect(times).toEqual([...times].sort().reverse());

    // The queue is the cluster's, whoever asks; workers are for admins only.
    expect(overview.queue).not.toBeNull();
    expect(Object.keys(overview.queue!.depth).sort()).toEqual(['critical', 'default', 'high', 'low']);
    expect(overview.workers).toBeNull();

    const bobs = await bob.getOverview();
    expect(bobs.vms).toMatchObject({ total: 1, by_driver: { process: 1 } });
    expect(bobs.executions.count).toBe(1);
    expect(bobs.failures).toEqual([]);

    const everyone = await admin.getOverview();
    expect(everyone.vms.total).toBeGreaterThanOrEqual(4);
    expect(everyone.executions.count).toBeGreaterThanOrEqual(7);
    expect(everyone.failures.map((failure) => failure.id)).toContain(made.failingExecution);
    expect(everyone.workers).toHaveLength(1);
    expect(everyone.workers![0]).toMatchObject({
      status: 'active',
      drivers: expect.arrayContaining(['process']),
    });
    expect(everyone.workers![0]!.heartbeat_age_ms).toBeGreaterThanOrEqual(0);
    expect(everyone.workers![0]!.capacity).toBeGreaterThan(0);
  });

  it("show admins the queue's own view, and refuse it to others", async () => {
    expect(await apiError(alice.getQueue())).toMatchObject({ status: 403, code: 'ERR_FORBIDDEN' });
    const queue = await admin.getQueue();
    expect(typeof queue.kind).toBe('string');
    expect(Object.keys(queue.counts).sort()).toEqual(['active', 'delayed', 'failed', 'waiting']);
    expect(Object.keys(queue.depth).length).toBeGreaterThan(0);
    for (const counts of Object.values(queue.depth)) {
      expect(Object.keys(counts).sort()).toEqual(['critical', 'default', 'high', 'low']);
    }
  });

  it('show admins each integration with the webhooks this gateway got, and refuse it to others', async () => {
    expect(await apiError(bob.listIntegrations())).toMatchObject({ status: 403, code: 'ERR_FORBIDDEN' });
    const send = (event: string, delivery: string, secret = GITHUB_SECRET) => {
      const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
      return admin.sendWebhook('github', body, {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': delivery,
        'x-hub-signature-256': signGitHubBody(secret, body),
      });
    };
    const ping = randomUUID();
    const star = randomUUID();
    const forged = randomUUID();
    await send('ping', ping);
    await send('star', star);
    expect(await apiError(send('star', star))).toMatchObject({ status: 409, code: 'ERR_WEBHOOK_REPLAYED' });
    expect(await apiError(send('ping', forged, 'not-the-secret'))).toMatchObject({
      status: 401,
      code: 'ERR_WEBHOOK_UNVERIFIED',
    });
    // An integration that is not enabled is refused and not kept.
    await apiError(admin.sendWebhook('gitlab', '{}', { 'content-type': 'application/json' }));

    const integrations = await admin.listIntegrations();
    expect(integrations.map((integration) => integration.name)).toEqual(['github']);
    const [github] = integrations;
    expect(github!.ok).toBe(true);
    expect(github!.message).toMatch(/token auth/);
    expect(
      github!.deliveries.map(({ id, event, outcome, status, code }) => ({
        id,
        event,
        outcome,
        status,
        code,
      })),
    ).toEqual([
      { id: forged, event: 'ping', outcome: 'refused', status: 401, code: 'ERR_WEBHOOK_UNVERIFIED' },
      { id: star, event: 'star', outcome: 'replayed', status: 409, code: 'ERR_WEBHOOK_REPLAYED' },
      { id: star, event: 'star', outcome: 'ignored', status: 200, code: null },
      { id: ping, event: 'ping', outcome: 'accepted', status: 200, code: null },
    ]);
    for (const delivery of github!.deliveries)
      expect(Date.parse(delivery.at)).toBeGreaterThan(Date.now() - MINUTE_MS);
  });
});
