import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../core/logger.js';
import { SHARED_QUEUE, type TaskQueue, workerQueueName } from '../../core/queue.js';
import {
  deferred,
  measureWakeLatencies,
  recorder,
  sleep,
  task,
  uniquePrefix,
  waitFor,
} from '../../testing/conformance/queue/helpers.js';
import { describeQueueConformance } from '../../testing/conformance/queue/queue-suite.js';
import { createLocalQueue } from './local-queue.js';

describeQueueConformance('local', async (prefix) => createLocalQueue({ prefix }), {
  consumersOutliveProcesses: false,
});

/** Waits on the event loop, not on timers: under fake timers `vi.waitFor` would move the clock. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let turns = 0; !(await condition()); turns++) {
    if (turns > 10_000) throw new Error('condition never held');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('local queue', () => {
  const opened: TaskQueue[] = [];
  function open(prefix = uniquePrefix('l'), logger?: Logger): TaskQueue {
    const queue = createLocalQueue({ prefix, logger });
    opened.push(queue);
    return queue;
  }
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
  });

  it('starts a processor within a few milliseconds of enqueue (no polling)', async () => {
    const latencies = await measureWakeLatencies(open(), 200);
    // Typically well under 1 ms; the bound leaves room for a loaded CI machine, and is still far
    // below any polling interval.
    expect(latencies[100]).toBeLessThan(5);
  });

  it('runs a backlog at full concurrency, each task once', async () => {
    const queue = open();
    const ids = Array.from({ length: 2000 }, () => randomUUID());
    for (const taskId of ids) await queue.enqueue(task({ taskId }));
    const seen = new Set<string>();
    let running = 0;
    let peak = 0;
    const done = deferred();
    await queue.consume(
      async (t) => {
        running++;
        peak = Math.max(peak, running);
        seen.add(t.taskId);
        await Promise.resolve();
        running--;
        if (seen.size === ids.length) done.resolve();
      },
      { queueNames: [SHARED_QUEUE], concurrency: 16 },
    );
    await done.promise;
    expect(peak).toBe(16);
    await waitFor('drained', async () => (await queue.counts()).active === 0);
    expect(await queue.counts()).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  it('holds no timer while idle and none after close', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const queue = open();
    const { seen, processor } = recorder(async () => {
      throw new Error('flaky');
    });
    await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
    expect(vi.getTimerCount()).toBe(0);
    await queue.enqueue(task({ attempts: 3, backoffMs: 1000 }));
    await until(() => vi.getTimerCount() === 1);
    expect(seen).toHaveLength(1);
    expect((await queue.counts()).delayed).toBe(1);
    await queue.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits backoffMs * 2^(attempt-1) between deliveries', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const queue = open();
    const { seen, processor } = recorder(async () => {
      throw new Error('always');
    });
    await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
    await queue.enqueue(task({ attempts: 4, backoffMs: 100 }));
    for (const [delivered, waitMs] of [
      [1, 100],
      [2, 200],
      [3, 400],
    ] as const) {
      // The retry's timer is set once the failed delivery has settled.
      await until(() => seen.length === delivered && vi.getTimerCount() === 1);
      await vi.advanceTimersByTimeAsync(waitMs - 1);
      expect(seen).toHaveLength(delivered);
      await vi.advanceTimersByTimeAsync(1);
    }
    await until(async () => (await queue.counts()).failed === 1);
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('applies concurrency per queue name', async () => {
    const queue = open();
    const own = workerQueueName('w1');
    const release = deferred();
    const { seen, processor } = recorder(() => release.promise);
    await queue.consume(processor, { queueNames: [SHARED_QUEUE, own], concurrency: 1 });
    for (const queueName of [SHARED_QUEUE, SHARED_QUEUE, own, own]) await queue.enqueue(task({ queueName }));
    await waitFor('one per queue name', () => seen.length === 2);
    expect(await queue.counts(SHARED_QUEUE)).toMatchObject({ waiting: 1, active: 1 });
    expect(await queue.counts(own)).toMatchObject({ waiting: 1, active: 1 });
    release.resolve();
    await waitFor('all', () => seen.length === 4);
  });

  it('shares work between instances of a prefix and isolates other prefixes', async () => {
    const prefix = uniquePrefix('l');
    const [a, b, other] = [open(prefix), open(prefix), open()];
    const first = recorder(() => sleep(5));
    const second = recorder(() => sleep(5));
    await a.consume(first.processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
    await b.consume(second.processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
    const t = task();
    await other.enqueue(t);
    expect(await a.has(t.taskId)).toBe(false);
    for (let i = 0; i < 10; i++) await a.enqueue(task());
    await waitFor('all', () => first.seen.length + second.seen.length === 10);
    expect(first.seen.length).toBeGreaterThan(0);
    expect(second.seen.length).toBeGreaterThan(0);
    expect(await other.has(t.taskId)).toBe(true);
  });

  it('forgets the namespace when its last instance closes', async () => {
    const prefix = uniquePrefix('l');
    const a = open(prefix);
    const b = open(prefix);
    const t = task();
    await a.enqueue(t);
    await a.close();
    expect(await b.has(t.taskId)).toBe(true);
    await b.close();
    expect(await open(prefix).has(t.taskId)).toBe(false);
  });

  it('logs a failing processor, even one that throws before returning a promise', async () => {
    const warn = vi.fn();
    const logger: Logger = { debug() {}, info() {}, warn, error() {}, child: () => logger };
    const queue = open(undefined, logger);
    const t = task();
    await queue.consume(
      () => {
        throw new Error('sync throw');
      },
      { queueNames: [SHARED_QUEUE], concurrency: 1 },
    );
    await queue.enqueue(t);
    await waitFor('failure recorded', async () => (await queue.counts()).failed === 1);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ taskId: t.taskId, reason: 'sync throw' }),
      'task failed',
    );
  });

  it('lets a cancel end a running task while close waits for it', async () => {
    const queue = open();
    const { seen, processor } = recorder(
      (_t, signal) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    );
    await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
    const t = task({ attempts: 3 });
    await queue.enqueue(t);
    await waitFor('start', () => seen.length === 1);
    const closed = queue.close();
    await expect(queue.enqueue(task())).rejects.toMatchObject({ code: 'ERR_QUEUE_UNAVAILABLE' });
    await expect(queue.ping()).rejects.toMatchObject({ code: 'ERR_QUEUE_UNAVAILABLE' });
    expect(await queue.cancel(t.taskId, 'shutting down')).toBe(true);
    await closed;
    expect(seen).toHaveLength(1);
    await expect(queue.counts()).rejects.toMatchObject({ code: 'ERR_QUEUE_UNAVAILABLE' });
  });

  it('refuses the task ids BullMQ refuses, so embedded mode accepts nothing a cluster would not', async () => {
    const queue = open();
    for (const taskId of ['', 'a:b', '42']) {
      await expect(queue.enqueue(task({ taskId }))).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    }
  });
});
