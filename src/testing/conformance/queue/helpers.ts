/** Helpers for the queue conformance suite. */
import { randomUUID } from 'node:crypto';
import {
  type EnqueueOptions,
  type QueuedTask,
  SHARED_QUEUE,
  type TaskProcessor,
  type TaskQueue,
} from '../../../core/queue.js';

/** Polls `condition` every 5 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A namespace no other test (or earlier run) uses: letters and digits only, valid everywhere. */
export function uniquePrefix(label: string): string {
  return `${label}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** A promise with its resolve handle, for processors that wait on the test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Enqueue options for a fresh task, defaults overridable. */
export function task(overrides: Partial<EnqueueOptions> = {}): EnqueueOptions {
  return {
    taskId: randomUUID(),
    type: 'vm:create',
    priority: 'default',
    attempts: 1,
    backoffMs: 0,
    ...overrides,
  };
}

/** A processor that records deliveries and lets each test decide what a delivery does. */
export function recorder(
  behaviour: (task: QueuedTask, signal: AbortSignal) => Promise<void> = async () => {},
) {
  const seen: Array<QueuedTask & { at: number }> = [];
  const processor: TaskProcessor = async (t, signal) => {
    seen.push({ ...t, at: performance.now() });
    await behaviour(t, signal);
  };
  return { seen, processor };
}

/**
 * Milliseconds from each enqueue to its processor starting, for `rounds` tasks one after
 * another on an idle consumer of `queueName` (default: the shared queue), pausing `pauseMs`
 * between rounds; sorted ascending.
 */
export async function measureWakeLatencies(
  queue: TaskQueue,
  rounds: number,
  options: { pauseMs?: number; queueName?: string } = {},
): Promise<number[]> {
  const queueName = options.queueName ?? SHARED_QUEUE;
  let started = 0;
  const latencies: number[] = [];
  let wake: (() => void) | undefined;
  await queue.consume(
    async () => {
      latencies.push(performance.now() - started);
      wake?.();
    },
    { queueNames: [queueName], concurrency: 1 },
  );
  for (let i = 0; i < rounds; i++) {
    const delivered = new Promise<void>((resolve) => {
      wake = resolve;
    });
    started = performance.now();
    await queue.enqueue(task({ queueName }));
    await delivered;
    if (options.pauseMs) await sleep(options.pauseMs);
  }
  return latencies.sort((x, y) => x - y);
}
