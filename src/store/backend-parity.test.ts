/**
 * The same calls on PGlite and PostgreSQL must return the same records, down to key order and
 * value types (int8 as number, jsonb as values, timestamps as Dates). Only the database clock's
 * own timestamps (createdAt, updatedAt, at) may differ, so they are compared as "a Date".
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, postgresAvailable } from '../../test/support/backends.js';
import type { WireError } from '../core/errors.js';
import { type ExecutionState, executionState } from '../core/execution.js';
import { newId } from '../core/ids.js';
import type { ExecutionOutcome, Store } from '../core/store.js';
import { openPglite } from '../pglite/open-pglite.js';
import {
  clockTick,
  jobSteps,
  newCreateTask,
  newExecuteTask,
  newExecutionInput,
  newVmInput,
  outcome,
} from '../testing/conformance/store/fixtures.js';
import { migrate } from './migrate.js';
import { createPgliteStore } from './pglite/pglite-store.js';
import { createPostgresStore } from './postgres/postgres-store.js';

const available = await postgresAvailable();
const CLOCK_FIELDS = new Set(['createdAt', 'updatedAt', 'at']);

/** JSON text in which database-clock timestamps are only checked to be Dates. */
function comparable(value: unknown): string {
  return JSON.stringify(value, function (key, v) {
    const raw = (this as Record<string, unknown>)[key];
    if (CLOCK_FIELDS.has(key)) return raw instanceof Date ? '<Date>' : `<not a Date: ${String(raw)}>`;
    if (raw instanceof Date) return `Date(${raw.toISOString()})`;
    return v === undefined ? '<undefined>' : v;
  });
}

/** One scripted session of calls; ids and names come in so both stores get the same ones. */
async function script(store: Store, ids: Record<'vm' | 'exec' | 'task' | 'job', string>, name: string) {
  const vm = await store.insertVm(
    newVmInput({
      id: ids.vm,
      name,
      driver: 'docker',
      image: 'aetherium/guest:latest',
      network: true,
      metadata: { n: 1, tags: ['a'], deep: { x: null } },
    }),
  );
  const exec = newExecutionInput(vm.id, {
    id: ids.exec,
    taskId: ids.task,
    env: { A: '1' },
    args: ['-c', 'x'],
  });
  const task = await store.insertTask(newExecuteTask(exec), exec);
  const started = new Date('2030-01-01T00:00:00.123Z');
  return {
    vm,
    task,
    moved: await store.transitionVm(
      vm.id,
      { from: ['pending'], to: 'creating', reason: 'r' },
      { startedAt: started },
    ),
    refused: await store.transitionVm(vm.id, { from: ['pending'], to: 'creating', reason: 'r' }),
    processing: await store.transitionTask(task.id, { from: ['pending'], to: 'processing', reason: 'p' }),
    completed: await store.completeExecution(exec.id, outcome({ startedAt: started, completedAt: started })),
    executions: await store.listExecutions(vm.id),
    job: await store.insertJob({
      id: ids.job,
      project: 'default',
      name: 'j',
      vmId: vm.id,
      taskId: null,
      steps: jobSteps,
    }),
    jobUpdated: await store.updateJob(ids.job, { status: 'running' }),
    found: await store.findVm(name),
    vms: await store
      .listVms({ status: ['creating'], workerId: undefined, limit: 100 })
      .then((l) => l.filter((v) => v.id === vm.id)),
    tasks: await store.listTasks({ vmId: vm.id }),
    changes: await store.listStateChanges(vm.id),
    jobChanges: await store.listStateChanges(ids.job),
  };
}

/** A minute of the dashboard script's fixed clock, and a second within it. */
const MINUTE = new Date('2031-03-04T05:06:00.000Z').getTime();
const atSecond = (second: number) => new Date(MINUTE + second * 1000);
const wire = (code: WireError['code']): WireError => ({ code, message: `${code} here`, retryable: false });

/** How each execution of the dashboard script ends (undefined: it does not), one per outcome. */
const ENDINGS: Record<ExecutionState, Partial<ExecutionOutcome> | 'started' | undefined> = {
  pending: undefined,
  running: 'started',
  exited: { exitCode: 0, completedAt: atSecond(1), durationMs: 100 },
  failed: { exitCode: null, error: wire('ERR_INTERNAL'), completedAt: atSecond(2), durationMs: 300 },
  timed_out: { exitCode: null, timedOut: true, completedAt: atSecond(61), durationMs: 1000 },
  signalled: { exitCode: null, signal: 'SIGKILL', completedAt: atSecond(62), durationMs: 50 },
  unknown: { exitCode: null, error: wire('ERR_WORKER_LOST'), completedAt: atSecond(63), durationMs: 60 },
  not_started: {
    exitCode: null,
    error: wire('ERR_TASK_NOT_STARTED'),
    completedAt: atSecond(64),
    durationMs: 70,
  },
  cancelled: { exitCode: null, error: wire('ERR_TASK_CANCELLED'), completedAt: atSecond(65), durationMs: 80 },
};

/** The ids the dashboard script writes with: the same on both stores. */
const DASHBOARD_IDS = [
  'vm',
  'elsewhere',
  'execElsewhere',
  'execTaskRun',
  'execTask',
  'create',
  'job',
  'job2',
] as const;
type DashboardIds = Record<(typeof DASHBOARD_IDS)[number], string> & {
  executions: Record<ExecutionState, string>;
};

/**
 * The dashboard's reads over one project's records: lists across VMs with their filters, VM
 * counts, executions per minute with percentiles, and recent failures.
 */
async function dashboardScript(store: Store, ids: DashboardIds, project: string, name: string) {
  const vm = await store.insertVm(newVmInput({ id: ids.vm, project, name }));
  const elsewhere = await store.insertVm(
    newVmInput({ id: ids.elsewhere, project: `${project}-other`, name, driver: 'docker' }),
  );
  const byOutcome: Partial<Record<ExecutionState, string>> = {};
  for (const [state, ending] of Object.entries(ENDINGS) as [
    ExecutionState,
    (typeof ENDINGS)[ExecutionState],
  ][]) {
    const id = ids.executions[state];
    await store.insertExecution(newExecutionInput(vm.id, { id, project }));
    if (ending === 'started') await store.markExecutionStarted(id, atSecond(0));
    else if (ending) await store.completeExecution(id, outcome({ startedAt: atSecond(0), ...ending }));
    byOutcome[state] = id;
    await clockTick();
  }
  await store.insertExecution(
    newExecutionInput(elsewhere.id, { id: ids.execElsewhere, project: elsewhere.project }),
  );
  const create = await store.insertTask(newCreateTask(vm.id, { id: ids.create, project }));
  await store.transitionTask(
    create.id,
    { from: ['pending'], to: 'failed', reason: 'boot failed' },
    {
      error: wire('ERR_VM_BOOT_TIMEOUT'),
      completedAt: atSecond(70),
    },
  );
  await clockTick();
  const exec = newExecutionInput(vm.id, { id: ids.execTaskRun, project, taskId: ids.execTask });
  await store.insertTask(newExecuteTask(exec), exec);
  await store.transitionTask(
    ids.execTask,
    { from: ['pending'], to: 'failed', reason: 'r' },
    {
      error: wire('ERR_INTERNAL'),
      completedAt: atSecond(71),
    },
  );
  await store.insertJob({ id: ids.job, project, name: 'j', vmId: vm.id, taskId: null, steps: jobSteps });
  await clockTick();
  await store.insertJob({ id: ids.job2, project, name: 'k', vmId: vm.id, taskId: null, steps: jobSteps });
  await store.updateJob(ids.job2, { status: 'running' });
  const outcomes = Object.fromEntries(
    await Promise.all(
      (Object.keys(ENDINGS) as ExecutionState[]).map(async (state) => [
        state,
        (await store.queryExecutions({ project, outcomes: [state] })).map((e) => [e.id, executionState(e)]),
      ]),
    ),
  );
  return {
    byOutcome,
    outcomes,
    executions: (await store.queryExecutions({ project })).map((e) => e.id),
    limited: (await store.queryExecutions({ project, limit: 2 })).map((e) => e.id),
    ofVm: (await store.queryExecutions({ vmId: elsewhere.id })).map((e) => e.id),
    tasks: (await store.listTasks({ project })).map((t) => [t.id, t.type, t.status]),
    creates: (await store.listTasks({ project, types: ['vm:create'], status: ['failed'] })).map((t) => t.id),
    jobs: (await store.listJobs({ project })).map((j) => [j.id, j.status]),
    runningJobs: (await store.listJobs({ project, status: ['running'], vmId: vm.id })).map((j) => j.id),
    counts: await store.countVms({ project }),
    activity: await store.executionActivity({ project, since: new Date(MINUTE) }),
    later: await store.executionActivity({ project, since: atSecond(60) }),
    none: await store.executionActivity({ project, since: atSecond(3600) }),
    failures: await store.listRecentFailures({ project, since: new Date(MINUTE), limit: 20 }),
    fewFailures: await store.listRecentFailures({ project, since: new Date(MINUTE), limit: 2 }),
  };
}

describe.skipIf(!available)('PGlite and PostgreSQL return identical records', () => {
  const dbName = `aether_parity_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const url = Object.assign(new URL(POSTGRES_URL), { pathname: `/${dbName}` }).toString();
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  let stores: Store[] = [];
  let closePglite: () => Promise<void> = async () => {};

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${dbName}`);
    await migrate({ connectionString: url });
    const lite = await openPglite('memory');
    closePglite = () => lite.close();
    await migrate({ pglite: lite });
    stores = [createPostgresStore({ connectionString: url }), createPgliteStore(lite)];
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await closePglite();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });

  it(`for the same calls (database ${dbName})`, async () => {
    const ids = { vm: newId(), exec: newId(), task: newId(), job: newId() };
    const name = `parity-${randomUUID().slice(0, 8)}`;
    const [onPostgres, onPglite] = await Promise.all(stores.map((store) => script(store, ids, name)));
    expect(onPostgres?.refused).toBeNull();
    expect(onPostgres?.changes).toHaveLength(1);
    expect(comparable(onPglite)).toBe(comparable(onPostgres));
  });

  it('for the dashboard reads: lists across VMs, counts, activity per minute, failures', async () => {
    const ids = {
      ...(Object.fromEntries(DASHBOARD_IDS.map((key) => [key, newId()])) as Record<
        (typeof DASHBOARD_IDS)[number],
        string
      >),
      executions: Object.fromEntries(Object.keys(ENDINGS).map((state) => [state, newId()])) as Record<
        ExecutionState,
        string
      >,
    };
    const project = `parity-${randomUUID().slice(0, 8)}`;
    const [onPostgres, onPglite] = await Promise.all(
      stores.map((store) => dashboardScript(store, ids, project, `dash-${project}`)),
    );
    expect(comparable(onPglite)).toBe(comparable(onPostgres));
    const result = onPostgres!;
    // The outcome filter is `executionState` computed in SQL: each finds its execution, and only
    // executions in that state (the vm:execute task's execution never started: pending too).
    for (const [state, found] of Object.entries(result.outcomes) as [ExecutionState, string[][]][]) {
      expect(
        found.map(([, computed]) => computed),
        state,
      ).toEqual(found.map(() => state));
      expect(
        found.map(([id]) => id),
        state,
      ).toContain(result.byOutcome[state]);
    }
    expect(result.outcomes.pending).toHaveLength(2);
    // Newest first, this project only.
    expect(result.executions).toEqual([ids.execTaskRun, ...Object.values(result.byOutcome).reverse()]);
    expect(result.limited).toEqual([ids.execTaskRun, result.byOutcome.cancelled]);
    expect(result.ofVm).toEqual([ids.execElsewhere]);
    expect(result.tasks).toEqual([
      [ids.execTask, 'vm:execute', 'failed'],
      [ids.create, 'vm:create', 'failed'],
    ]);
    expect(result.creates).toEqual([ids.create]);
    expect(result.jobs).toEqual([
      [ids.job2, 'running'],
      [ids.job, 'pending'],
    ]);
    expect(result.runningJobs).toEqual([ids.job2]);
    expect(result.counts).toEqual([{ status: 'pending', driver: 'process', count: 1 }]);
    // 05:06 has exited (100 ms) and failed (300 ms); 05:07 the other five completed ones.
    expect(result.activity.minutes).toEqual([
      { minute: new Date(MINUTE), count: 2, failed: 1, p50Ms: 200, p99Ms: 298 },
      { minute: atSecond(60), count: 5, failed: 5, p50Ms: 70, p99Ms: expect.closeTo(963.2, 6) },
    ]);
    expect(result.activity.total).toMatchObject({ count: 7, failed: 6, p50Ms: 80 });
    expect(result.later.minutes).toHaveLength(1);
    expect(result.none).toEqual({ minutes: [], total: { count: 0, failed: 0, p50Ms: null, p99Ms: null } });
    // Newest first; the failed vm:execute task is left out (its execution is the failure).
    expect(result.failures.map((f) => [f.kind, f.type, f.error?.code ?? null])).toEqual([
      ['task', 'vm:create', 'ERR_VM_BOOT_TIMEOUT'],
      ['execution', 'execute', 'ERR_TASK_CANCELLED'],
      ['execution', 'execute', 'ERR_TASK_NOT_STARTED'],
      ['execution', 'execute', 'ERR_WORKER_LOST'],
      ['execution', 'execute', null],
      ['execution', 'execute', null],
      ['execution', 'execute', 'ERR_INTERNAL'],
    ]);
    expect(result.failures[4]).toMatchObject({ signal: 'SIGKILL', exitCode: null });
    expect(result.failures[5]).toMatchObject({ timedOut: true });
    expect(result.failures[0]).toMatchObject({ vmId: ids.vm, at: atSecond(70) });
    expect(result.fewFailures.map((f) => f.id)).toEqual([ids.create, result.byOutcome.cancelled]);
  });
});
