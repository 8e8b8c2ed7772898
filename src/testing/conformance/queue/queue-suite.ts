/**
 * The behaviour every `TaskQueue` keeps (see the contract in core/queue.ts), run against the
 * real backend. Each test works in its own namespace (prefix), so tests never see each other's
 * jobs; instances opened with the same prefix share jobs, as separate processes would.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HandBack,
  PermanentFailure,
  SHARED_QUEUE,
  type TaskQueue,
  workerQueueName,
} from '../../../core/queue.js';
import { deferred, measureWakeLatencies, recorder, sleep, task, uniquePrefix, waitFor } from './helpers.js';

export interface QueueConformanceOptions {
  /** Skip the whole suite (the reason was printed by the availability check). */
  skip?: boolean;
  /** Deletes what the backend keeps under `prefix`; runs after each test. */
  purge?: (prefix: string) => Promise<void>;
  /**
   * Whether a task can outlive the consumer that took it (a queue shared between processes).
   * An in-process queue dies with its consumers: nothing there is ever reclaimed. Default true.
   */
  consumersOutliveProcesses?: boolean;
}

/** Opens a new queue instance in namespace `prefix`. */
export type MakeQueue = (prefix: string) => Promise<TaskQueue>;

export function describeQueueConformance(
  name: string,
  makeQueue: MakeQueue,
  options: QueueConformanceOptions = {},
): void {
  describe.skipIf(options.skip ?? false)(`TaskQueue conformance: ${name}`, () => {
    const opened: TaskQueue[] = [];
    let prefix = '';

    /** A queue in this test's namespace, closed after the test. */
    async function open(): Promise<TaskQueue> {
      if (prefix === '') prefix = uniquePrefix('q');
      const queue = await makeQueue(prefix);
      opened.push(queue);
      return queue;
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((queue) => queue.close()));
      if (prefix !== '') await options.purge?.(prefix);
      prefix = '';
    });

    it('delivers an enqueued task once, with its type and attempt 1', async () => {
      const queue = await open();
      const { seen, processor } = recorder();
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 2 });
      const t = task({ type: 'vm:delete' });
      await queue.enqueue(t);
      await waitFor('delivery', () => seen.length === 1);
      await sleep(100);
      expect(seen.map(({ taskId, type, attempt }) => ({ taskId, type, attempt }))).toEqual([
        { taskId: t.taskId, type: 'vm:delete', attempt: 1 },
      ]);
      await waitFor('completion', async () => !(await queue.has(t.taskId)));
    });

    it('ignores a second enqueue of a task id that is still queued', async () => {
      const queue = await open();
      const t = task();
      await queue.enqueue(t);
      await queue.enqueue({ ...t, priority: 'critical' });
      expect((await queue.counts(SHARED_QUEUE)).waiting).toBe(1);
      const { seen, processor } = recorder();
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      await waitFor('delivery', () => seen.length === 1);
      await sleep(100);
      expect(seen).toHaveLength(1);
    });

    it('takes a task id again once its earlier job has finished or failed', async () => {
      const queue = await open();
      let fail = true;
      const { seen, processor } = recorder(async () => {
        if (fail) throw new PermanentFailure('first run fails');
      });
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      const t = task();
      await queue.enqueue(t);
      await waitFor('failure recorded', async () => (await queue.counts()).failed === 1);
      fail = false;
      await queue.enqueue(t);
      await waitFor('second delivery', () => seen.length === 2);
      await waitFor('completion', async () => !(await queue.has(t.taskId)));
      await queue.enqueue(t);
      await waitFor('third delivery', () => seen.length === 3);
      expect(seen.map((s) => s.taskId)).toEqual([t.taskId, t.taskId, t.taskId]);
    });

    it('delivers higher priorities first, FIFO within a priority', async () => {
      const queue = await open();
      const order = ['low', 'default', 'high', 'critical', 'high'] as const;
      const ids = order.map(() => randomUUID());
      for (const [i, priority] of order.entries()) await queue.enqueue(task({ taskId: ids[i], priority }));
      const { seen, processor } = recorder();
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      await waitFor('all deliveries', () => seen.length === order.length);
      expect(seen.map((s) => s.taskId)).toEqual([ids[3], ids[2], ids[4], ids[1], ids[0]]);
    });

    it('retries a failing task with exponential backoff until it succeeds', async () => {
      const queue = await open();
      const { seen, processor } = recorder(async (t) => {
        if (t.attempt < 3) throw new Error(`flaky ${t.attempt}`);
      });
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      const t = task({ attempts: 4, backoffMs: 40 });
      await queue.enqueue(t);
      await waitFor('third attempt', () => seen.length === 3);
      await waitFor('completion', async () => !(await queue.has(t.taskId)));
      expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
      const [first, second, third] = seen;
      // 40 ms, then 80 ms (timers may fire a little early; allow 5 ms).
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(35);
      expect(third!.at - second!.at).toBeGreaterThanOrEqual(75);
      expect((await queue.counts()).failed).toBe(0);
    });

    it('re-queues a handed-back task without spending an attempt', async () => {
      const queue = await open();
      const { seen, processor } = recorder(async () => {
        if (seen.length === 1) throw new HandBack('worker stopping');
      });
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      const t = task({ attempts: 1 });
      await queue.enqueue(t);
      await waitFor('second delivery', () => seen.length === 2);
      expect(seen.map((d) => d.attempt)).toEqual([1, 1]);
      await waitFor('completion', async () => !(await queue.has(t.taskId)));
      expect((await queue.counts()).failed).toBe(0);
    });

    it('never retries a PermanentFailure', async () => {
      const queue = await open();
      const { seen, processor } = recorder(async () => {
        throw new PermanentFailure('bad request');
      });
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      const t = task({ attempts: 3, backoffMs: 10 });
      await queue.enqueue(t);
      await waitFor('failure recorded', async () => (await queue.counts()).failed === 1);
      await sleep(100);
      expect(seen.map((s) => s.attempt)).toEqual([1]);
      expect(await queue.has(t.taskId)).toBe(false);
    });

    it('gives up once attempts are spent', async () => {
      const queue = await open();
      const { seen, processor } = recorder(async () => {
        throw new Error('always');
      });
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      const t = task({ attempts: 2, backoffMs: 10 });
      await queue.enqueue(t);
      await waitFor('failure recorded', async () => (await queue.counts()).failed === 1);
      await sleep(100);
      expect(seen.map((s) => s.attempt)).toEqual([1, 2]);
      expect(await queue.has(t.taskId)).toBe(false);
    });

    it('cancels a running task through its AbortSignal and does not retry it', async () => {
      const queue = await open();
      const signals: AbortSignal[] = [];
      const { seen, processor } = recorder(
        (_t, signal) =>
          new Promise((_resolve, reject) => {
            signals.push(signal);
            signal.addEventListener('abort', () => reject(new Error('aborted')));
          }),
      );
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      const t = task({ attempts: 3, backoffMs: 10 });
      await queue.enqueue(t);
      await waitFor('start', () => seen.length === 1);
      expect(await queue.cancel(t.taskId, 'user asked')).toBe(true);
      expect(signals[0]?.aborted).toBe(true);
      expect(signals[0]?.reason).toBe('user asked');
      await waitFor('task gone', async () => !(await queue.has(t.taskId)));
      await sleep(100);
      expect(seen).toHaveLength(1);
    });

    it('cancels a task running in another instance', async () => {
      const consumer = await open();
      const producer = await open();
      const aborted = deferred<unknown>();
      const { seen, processor } = recorder(
        (_t, signal) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              aborted.resolve(signal.reason);
              reject(new Error('aborted'));
            });
          }),
      );
      await consumer.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      const t = task({ attempts: 2 });
      await producer.enqueue(t);
      await waitFor('start', () => seen.length === 1);
      expect(await producer.cancel(t.taskId, 'from the gateway')).toBe(true);
      expect(await aborted.promise).toBe('from the gateway');
    });

    it('removes a waiting task on cancel, and reports unknown tasks', async () => {
      const queue = await open();
      const t = task();
      await queue.enqueue(t);
      expect(await queue.has(t.taskId)).toBe(true);
      expect(await queue.cancel(t.taskId, 'not needed')).toBe(true);
      expect(await queue.has(t.taskId)).toBe(false);
      expect(await queue.cancel(randomUUID(), 'nothing')).toBe(false);
      const { seen, processor } = recorder();
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      await sleep(150);
      expect(seen).toHaveLength(0);
    });

    it('finds a waiting task to cancel in a queue only another instance used', async () => {
      const first = await open();
      const own = workerQueueName('w3');
      const t = task({ queueName: own });
      await first.enqueue(t);
      const fresh = await open();
      expect(await fresh.cancel(t.taskId, 'after a restart')).toBe(true);
      expect(await first.has(t.taskId, own)).toBe(false);
    });

    it('consumes several queue names with one processor', async () => {
      const queue = await open();
      const own = workerQueueName('w1');
      const shared = task();
      const mine = task({ type: 'vm:execute', queueName: own });
      await queue.enqueue(shared);
      await queue.enqueue(mine);
      const { seen, processor } = recorder();
      await queue.consume(processor, { queueNames: [SHARED_QUEUE, own], concurrency: 1 });
      await waitFor('both deliveries', () => seen.length === 2);
      expect(seen.map((s) => s.taskId).sort()).toEqual([shared.taskId, mine.taskId].sort());
    });

    it('runs at most `concurrency` tasks at once per queue', async () => {
      const queue = await open();
      let running = 0;
      let peak = 0;
      const { seen, processor } = recorder(async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(60);
        running--;
      });
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 2 });
      for (let i = 0; i < 6; i++) await queue.enqueue(task());
      await waitFor('all deliveries', () => seen.length === 6 && running === 0);
      expect(peak).toBe(2);
    });

    it('close waits for running processors to settle', async () => {
      const queue = await open();
      let finished = false;
      const { seen, processor } = recorder(async () => {
        await sleep(250);
        finished = true;
      });
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      await queue.enqueue(task());
      await waitFor('start', () => seen.length === 1);
      await queue.close();
      expect(finished).toBe(true);
      await expect(queue.enqueue(task())).rejects.toMatchObject({ code: 'ERR_QUEUE_UNAVAILABLE' });
    });

    it('pause stops new deliveries without stopping running ones; resume takes them up', async () => {
      const queue = await open();
      const release = deferred();
      const { seen, processor } = recorder(async (t) => {
        if (t.taskId === first.taskId) await release.promise;
      });
      const first = task();
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 2 });
      await queue.enqueue(first);
      await waitFor('first delivery', () => seen.length === 1);
      await queue.pause();
      const second = task();
      try {
        await queue.enqueue(second);
        await sleep(300);
        expect(seen.map((t) => t.taskId)).toEqual([first.taskId]);
      } finally {
        release.resolve();
      }
      await waitFor('first finishes', async () => !(await queue.has(first.taskId)));
      expect(await queue.has(second.taskId)).toBe(true);
      await queue.resume();
      await waitFor('second delivery after resume', () => seen.length === 2);
      expect(seen[1]?.taskId).toBe(second.taskId);
    });

    it('reports what it holds: has and counts per queue name', async () => {
      const queue = await open();
      const own = workerQueueName('w2');
      const a = task();
      const b = task({ priority: 'high' });
      const c = task({ queueName: own });
      for (const t of [a, b, c]) await queue.enqueue(t);
      expect(await queue.has(a.taskId)).toBe(true);
      expect(await queue.has(c.taskId, own)).toBe(true);
      expect(await queue.has(c.taskId, SHARED_QUEUE)).toBe(false);
      expect(await queue.counts(SHARED_QUEUE)).toEqual({ waiting: 2, active: 0, delayed: 0, failed: 0 });
      expect(await queue.counts(own)).toEqual({ waiting: 1, active: 0, delayed: 0, failed: 0 });
      expect((await queue.counts()).waiting).toBe(3);
      await queue.ping();
    });

    it('reports its depth per queue name and priority, waiting tasks only', async () => {
      const queue = await open();
      const own = workerQueueName('w4');
      const zero = { critical: 0, high: 0, default: 0, low: 0 };
      expect(await queue.depth(own)).toEqual({ [own]: zero });
      const shared = (['low', 'default', 'default', 'high', 'critical', 'critical', 'critical'] as const).map(
        (priority) => task({ priority }),
      );
      for (const t of shared) await queue.enqueue(t);
      await queue.enqueue(task({ queueName: own, priority: 'high' }));
      expect(await queue.depth(SHARED_QUEUE)).toEqual({
        [SHARED_QUEUE]: { critical: 3, high: 1, default: 2, low: 1 },
      });
      expect(await queue.depth(own)).toEqual({ [own]: { ...zero, high: 1 } });
      // Another instance of the namespace (a gateway) sees the queue names it never used itself.
      const observer = await open();
      expect(await observer.depth()).toEqual({
        [SHARED_QUEUE]: { critical: 3, high: 1, default: 2, low: 1 },
        [own]: { ...zero, high: 1 },
      });
      // A running task is no longer waiting; a cancelled one is gone.
      const release = deferred();
      const { seen, processor } = recorder(() => release.promise);
      expect(await queue.cancel(shared[0]!.taskId, 'not needed')).toBe(true);
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      try {
        await waitFor('first delivery', () => seen.length === 1);
        expect(seen[0]?.taskId).toBe(shared[4]!.taskId);
        expect(await queue.depth(SHARED_QUEUE)).toEqual({
          [SHARED_QUEUE]: { critical: 2, high: 1, default: 2, low: 0 },
        });
      } finally {
        release.resolve();
      }
      await waitFor('drained', async () => (await queue.counts(SHARED_QUEUE)).waiting === 0);
      expect(await queue.depth(SHARED_QUEUE)).toEqual({ [SHARED_QUEUE]: zero });
    });

    it('reclaims nothing a live consumer holds, and nothing it does not hold', async () => {
      const queue = await open();
      const release = deferred();
      const { seen, processor } = recorder(() => release.promise);
      await queue.consume(processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
      const running = task();
      await queue.enqueue(running);
      try {
        await waitFor('delivery', () => seen.length === 1);
        expect(await queue.reclaim(running.taskId, SHARED_QUEUE)).toBe(false);
        expect(await queue.reclaim(randomUUID(), SHARED_QUEUE)).toBe(false);
        const waiting = task();
        await queue.enqueue(waiting);
        expect(await queue.reclaim(waiting.taskId, SHARED_QUEUE, { holderGone: true })).toBe(false);
      } finally {
        release.resolve();
      }
      await waitFor('drained', async () => (await queue.counts(SHARED_QUEUE)).active === 0);
      expect(seen).toHaveLength(2);
    });

    // Registered only where it applies: an in-process queue has no such case (not a skip).
    if (options.consumersOutliveProcesses ?? true)
      it('reclaims a task whose holder is gone: another consumer takes it at once', async () => {
        // The first consumer stands for a process that died holding the task: it never returns.
        const stuck = await open();
        const never = deferred();
        const first = recorder(() => never.promise);
        try {
          await stuck.consume(first.processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
          const t = task();
          await stuck.enqueue(t);
          await waitFor('first delivery', () => first.seen.length === 1);
          const live = await open();
          const second = recorder();
          await live.consume(second.processor, { queueNames: [SHARED_QUEUE], concurrency: 1 });
          await sleep(50);
          expect(second.seen).toHaveLength(0);
          expect(await live.reclaim(t.taskId, SHARED_QUEUE, { holderGone: true })).toBe(true);
          // At once: an idle consumer is woken, not left to find it at its next poll.
          await waitFor('delivery to the live consumer', () => second.seen.length === 1, 1000);
          expect(second.seen[0]?.taskId).toBe(t.taskId);
        } finally {
          never.resolve();
        }
      });

    it('wakes an idle consumer at once (no polling delay)', async () => {
      const queue = await open();
      const latencies = await measureWakeLatencies(queue, 15, { pauseMs: 10 });
      // Generous for a loaded CI machine; a missed wake-up costs seconds, not milliseconds.
      expect(latencies[Math.floor(latencies.length / 2)]).toBeLessThan(100);
    });
  });
}
