/**
 * `TaskQueue` inside one process, for embedded mode (`aether up`). BullMQ over the embedded
 * PGlite costs about ten SQL statements per task on the WASM session the store also needs, plus
 * idle polling; here, the store is already the record of every task and its reconciler re-enqueues
 * what it calls pending, so the dispatcher need not be durable and can be a few in-memory maps.
 *
 * Same rules as the BullMQ implementation: job id = task id, priorities, per-queue-name
 * concurrency, retries with exponential backoff, `PermanentFailure` and cancelled deliveries never
 * retried. Instances with the same prefix share their tasks (see registry.ts).
 */

import { AetherError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import {
  type ConsumeOptions,
  type EnqueueOptions,
  type PriorityCounts,
  SHARED_QUEUE,
  type TaskProcessor,
  type TaskQueue,
} from '../../core/queue.js';
import { assertConsumeOptions } from '../consume-options.js';
import type { Consumer, Counts } from './channel.js';
import { acquireNamespace, type Namespace, releaseNamespace } from './registry.js';

export interface LocalQueueOptions {
  /** Namespace: instances with the same prefix in this process share their tasks. Default `aether`. */
  prefix?: string;
  logger?: Logger;
}

const DEFAULT_PREFIX = 'aether';

/**
 * The ids BullMQ accepts (no `:`, not all digits), though nothing here needs the rule: an id
 * that works in embedded mode must work in a cluster too.
 */
function assertJobId(taskId: string): void {
  if (typeof taskId !== 'string' || taskId === '' || taskId.includes(':') || /^\d+$/.test(taskId)) {
    throw new AetherError('ERR_VALIDATION', `task id ${JSON.stringify(taskId)} cannot be a queue job id`);
  }
}

/** Opens an instance at once: there is nothing to connect to. */
export function createLocalQueue(options: LocalQueueOptions = {}): TaskQueue {
  return new LocalTaskQueue(options.prefix ?? DEFAULT_PREFIX, options.logger ?? silentLogger);
}

class LocalTaskQueue implements TaskQueue {
  readonly kind = 'local';
  private readonly logger: Logger;
  private readonly namespace: Namespace;
  private readonly consumers = new Map<string, Consumer>();
  private readonly deliveries = new Set<Promise<void>>();
  private paused = false;
  /** Set by `close()`: no new work is taken. */
  private closing: Promise<void> | undefined;
  /** Set once `close()` has released the namespace: nothing is answered any more. */
  private closed = false;

  constructor(
    private readonly prefix: string,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'queue', queue: 'local', prefix });
    this.namespace = acquireNamespace(prefix);
  }

  async enqueue(options: EnqueueOptions): Promise<void> {
    this.assertTakingWork();
    assertJobId(options.taskId);
    this.namespace.channel(options.queueName ?? SHARED_QUEUE).add(options);
  }

  /** Concurrency is per queue name, so a worker's own queue is never starved by the shared one. */
  async consume(processor: TaskProcessor, options: ConsumeOptions): Promise<void> {
    this.assertTakingWork();
    assertConsumeOptions(options, (name) => this.consumers.has(name));
    for (const name of new Set(options.queueNames)) {
      const consumer: Consumer = {
        processor,
        concurrency: options.concurrency,
        running: 0,
        logger: this.logger,
        track: (delivery) => this.track(delivery),
      };
      this.consumers.set(name, consumer);
      if (!this.paused) this.namespace.channel(name).addConsumer(consumer);
    }
  }

  /** Works in any queue name of the namespace, whichever instance enqueued or runs the task. */
  async cancel(taskId: string, reason: string): Promise<boolean> {
    this.assertOpen();
    const found = this.namespace.cancel(taskId, reason);
    if (found) this.logger.debug({ taskId, reason }, 'cancelled task');
    return found;
  }

  /** Without a queue name: any queue name of the namespace. */
  async has(taskId: string, queueName?: string): Promise<boolean> {
    this.assertOpen();
    return this.namespace.select(queueName).some((channel) => channel.has(taskId));
  }

  /**
   * Nothing to reclaim: an in-process queue's consumers live and die with it, so a running task
   * here always has a live holder (a dead process took its queue with it).
   */
  async reclaim(): Promise<boolean> {
    this.assertOpen();
    return false;
  }

  /** Without a queue name: the sum over every queue name of the namespace. */
  async counts(queueName?: string): Promise<Counts> {
    this.assertOpen();
    return this.namespace.counts(queueName);
  }

  /** Without a queue name: every queue name of the namespace. */
  async depth(queueName?: string): Promise<Record<string, PriorityCounts>> {
    this.assertOpen();
    return this.namespace.depth(queueName);
  }

  async pause(): Promise<void> {
    if (this.paused) return;
    this.paused = true;
    for (const [name, consumer] of this.consumers) this.namespace.channel(name).removeConsumer(consumer);
  }

  async resume(): Promise<void> {
    this.assertTakingWork();
    if (!this.paused) return;
    this.paused = false;
    for (const [name, consumer] of this.consumers) this.namespace.channel(name).addConsumer(consumer);
  }

  async ping(): Promise<void> {
    this.assertTakingWork();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const [name, consumer] of this.consumers) this.namespace.channel(name).removeConsumer(consumer);
    // No delivery starts for this instance any more, so one wait covers them all.
    await Promise.allSettled([...this.deliveries]);
    this.closed = true;
    releaseNamespace(this.prefix, this.namespace);
  }

  private track(delivery: Promise<void>): void {
    // `deliver` never rejects; the catch only guards the bookkeeping after it (a throwing logger).
    const tracked: Promise<void> = delivery.then(
      () => {
        this.deliveries.delete(tracked);
      },
      (error: unknown) => {
        this.deliveries.delete(tracked);
        this.logger.error({ err: error }, 'local queue bookkeeping failed');
      },
    );
    this.deliveries.add(tracked);
  }

  private assertTakingWork(): void {
    if (this.closing) throw new AetherError('ERR_QUEUE_UNAVAILABLE', 'queue is closed');
  }

  private assertOpen(): void {
    if (this.closed) throw new AetherError('ERR_QUEUE_UNAVAILABLE', 'queue is closed');
  }
}
