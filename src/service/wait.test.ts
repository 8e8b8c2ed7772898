/**
 * Waiting for a task's end against a real store (PGlite) and the in-process event bus: how many
 * times the store is read, and that a lost event still ends the wait (by the periodic read).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../test/support/memory-store.js';
import { withoutLocalRecords } from '../core/events.js';
import type { Store } from '../core/store.js';
import { createLocalEventBus } from '../events/local/local-event-bus.js';
import { claimedExecution, outcome } from '../testing/conformance/store/fixtures.js';
import { publishTask } from './publish.js';
import { TaskEndings, waitForTask } from './wait.js';

let store: Store;
beforeAll(async () => {
  store = await openMemoryStore();
});
afterAll(async () => {
  await store.close();
});

/** The store, with its task reads counted. */
function counting(inner: Store): { store: Store; reads: () => number } {
  let reads = 0;
  return {
    store: {
      ...inner,
      getTask: (id: string) => {
        reads++;
        return inner.getTask(id);
      },
    },
    reads: () => reads,
  };
}

async function completed() {
  const { task, execution } = await claimedExecution(store);
  const done = await store.completeTaskWithExecution(
    task.id,
    { fencingToken: task.fencingToken, result: null, reason: 'handler finished', completedAt: new Date() },
    execution.id,
    outcome(),
  );
  if (!done) throw new Error('could not complete the task');
  return { running: task, ...done };
}

/** Endings whose subscription listens already, as in a process that has waited before. */
async function listening() {
  const events = createLocalEventBus();
  const endings = new TaskEndings(events);
  await endings.watch('warm-up', () => {}).then((w) => w.stop());
  return { events, endings };
}

describe('waiting for a task', () => {
  it('a fresh wait answers from the end event it carries, reading nothing', async () => {
    const { events, endings } = await listening();
    const { running, task, execution } = await completed();
    const { store: counted, reads } = counting(store);
    const waiting = waitForTask({ store: counted, endings }, running.id, 5000, { fresh: true });
    await new Promise((resolve) => setImmediate(resolve));
    await publishTask(events, task, execution);
    await expect(waiting).resolves.toEqual({ task, execution });
    expect(reads()).toBe(0);
    endings.close();
  });

  it('an end heard before the wait began answers at once', async () => {
    const { events, endings } = await listening();
    const { running, task, execution } = await completed();
    await publishTask(events, task, execution);
    const { store: counted, reads } = counting(store);
    await expect(
      waitForTask({ store: counted, endings }, running.id, 5000, { fresh: true }),
    ).resolves.toEqual({
      task,
      execution,
    });
    expect(reads()).toBe(0);
    endings.close();
  });

  it('a wait that is not fresh reads the store first (the task may have ended long ago)', async () => {
    const endings = new TaskEndings(createLocalEventBus());
    const { running, task } = await completed();
    const { store: counted, reads } = counting(store);
    await expect(waitForTask({ store: counted, endings }, running.id, 5000)).resolves.toEqual({ task });
    expect(reads()).toBe(1);
    endings.close();
  });

  it('an end event without the record (from another process) is read from the store', async () => {
    const { events, endings } = await listening();
    const { running, task, execution } = await completed();
    const { store: counted, reads } = counting(store);
    const waiting = waitForTask({ store: counted, endings }, running.id, 5000, { fresh: true });
    await new Promise((resolve) => setImmediate(resolve));
    const summary = { taskId: task.id, type: task.type, status: task.status, error: task.error };
    await events.publish('task.updated', withoutLocalRecords({ ...summary, record: task, execution }));
    await expect(waiting).resolves.toEqual({ task });
    expect(reads()).toBe(1);
    endings.close();
  });

  it('a lost end event still ends a fresh wait, by the periodic read', async () => {
    const { endings } = await listening();
    const { running, task } = await completed();
    const started = Date.now();
    await expect(waitForTask({ store, endings }, running.id, 5000, { fresh: true })).resolves.toEqual({
      task,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    endings.close();
  });
});
