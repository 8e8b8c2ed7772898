/**
 * The same calls on PGlite and PostgreSQL must return the same records, down to key order and
 * value types (int8 as number, jsonb as values, timestamps as Dates). Only the database clock's
 * own timestamps (createdAt, updatedAt, at) may differ, so they are compared as "a Date".
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, postgresAvailable } from '../../test/support/backends.js';
import { newId } from '../core/ids.js';
import type { Store } from '../core/store.js';
import { openPglite } from '../pglite/open-pglite.js';
import {
  jobSteps,
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
});
