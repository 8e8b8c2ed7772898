/**
 * The store on PGlite in process and on PGlite on its own thread: the same calls return the same
 * records, down to key order and value classes (Dates, Uint8Array bytes, numbers), and fail with
 * the same codes. Only the database clock's timestamps may differ.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import type { Store } from '../../core/store.js';
import { openPglite } from '../../pglite/open-pglite.js';
import { openPgliteThread } from '../../pglite/pglite-thread.js';
import {
  jobSteps,
  newExecuteTask,
  newExecutionInput,
  newVmInput,
  outcome,
} from '../../testing/conformance/store/fixtures.js';
import { migrate } from '../migrate.js';
import { createPgliteStore } from './pglite-store.js';

const CLOCK_FIELDS = new Set(['createdAt', 'updatedAt', 'at', 'heartbeatAt', 'claimedAt']);

/** Every value as a caller could tell it apart, the database clock's timestamps only as "a Date". */
function comparable(value: unknown): string {
  const masked = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(masked);
    if (v && typeof v === 'object' && !(v instanceof Date) && !ArrayBuffer.isView(v)) {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k,
          CLOCK_FIELDS.has(k) && x instanceof Date ? '<Date>' : masked(x),
        ]),
      );
    }
    return v;
  };
  return inspect(masked(value), { depth: null, sorted: false });
}

type Ids = Record<'vm' | 'exec' | 'task' | 'job', string>;

/** One scripted session of calls; ids and names come in so both stores get the same ones. */
async function script(store: Store, ids: Ids, name: string) {
  const vm = await store.insertVm(
    newVmInput({ id: ids.vm, name, metadata: { n: 1, tags: ['a'], deep: { x: null }, big: 2 ** 40 } }),
  );
  const exec = newExecutionInput(vm.id, {
    id: ids.exec,
    taskId: ids.task,
    env: { A: "it's" },
    args: ['-c', 'x'],
  });
  const task = await store.insertTask(newExecuteTask(exec), exec);
  const started = new Date('2030-01-01T00:00:00.123Z');
  const claimed = await store.transitionTask(
    task.id,
    { from: ['pending'], to: 'processing', reason: 'claim' },
    { newAttempt: true },
  );
  const fence = { taskId: task.id, fencingToken: claimed?.fencingToken ?? -1 };
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  return {
    vm,
    task,
    claimed,
    moved: await store.transitionVm(
      vm.id,
      { from: ['pending'], to: 'creating', reason: 'r' },
      { startedAt: started },
    ),
    refused: await store.transitionVm(vm.id, { from: ['pending'], to: 'creating', reason: 'r' }),
    appended: await store.appendExecutionOutput(
      exec.id,
      [
        { seq: 1, stream: 'stdout', offset: 0, data: bytes },
        { seq: 2, stream: 'stderr', offset: 2 ** 40, data: new Uint8Array(0) },
      ],
      fence,
    ),
    output: await store.listExecutionOutput(exec.id),
    completed: await store.completeExecution(
      exec.id,
      outcome({ startedAt: started, completedAt: started }),
      fence,
    ),
    execution: await store.getExecution(exec.id),
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
    tasks: await store.listTasks({ vmId: vm.id }),
    changes: await store.listStateChanges(vm.id),
    nameTaken: await store.insertVm(newVmInput({ name })).catch((error: { code?: string }) => error.code),
    noSuchVm: await store
      .insertTask(newExecuteTask(newExecutionInput(newId())))
      .catch((e: { code?: string }) => e.code),
  };
}

describe('the store on PGlite in process and on its own thread', () => {
  const stores: Store[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const [inProcess, threaded] = await Promise.all([openPglite('memory'), openPgliteThread('memory')]);
    for (const db of [inProcess, threaded]) {
      closers.push(() => db.close());
      await migrate({ pglite: db });
      stores.push(createPgliteStore(db));
    }
  }, 60_000);

  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const close of closers) await close();
  });

  it('return identical records and errors for the same calls', async () => {
    const ids = { vm: newId(), exec: newId(), task: newId(), job: newId() };
    const name = `same-${ids.vm.slice(0, 8)}`;
    const [inProcess, threaded] = await Promise.all(stores.map((store) => script(store, ids, name)));
    expect(inProcess?.nameTaken).toBe('ERR_VM_NAME_TAKEN');
    expect(inProcess?.noSuchVm).toBe('ERR_VM_NOT_FOUND');
    expect(inProcess?.output[0]?.data).toBeInstanceOf(Uint8Array);
    expect(comparable(threaded)).toBe(comparable(inProcess));
  });
});
