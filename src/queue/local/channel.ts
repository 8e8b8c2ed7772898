/**
 * One queue name of a namespace: the tasks it holds (waiting, delayed or active), the consumers
 * that take from it, and the bounded record of failed tasks. Shared by every instance of the
 * namespace in this process, as a Redis or PostgreSQL backend is shared by BullMQ instances.
 *
 * Dispatch is push, not poll: enqueueing, a retry coming due, a consumer arriving and a delivery
 * ending each drain the waiting list into free consumer slots, so an idle channel holds no timer.
 */
import type { Logger } from '../../core/logger.js';
import type { EnqueueOptions, PriorityCounts, TaskProcessor } from '../../core/queue.js';
import type { TaskPriority, TaskType } from '../../core/task.js';
import { type DeliveryOutcome, deliver, retryDelayMs } from './delivery.js';
import { WaitingList } from './waiting-list.js';

export type Counts = Record<'waiting' | 'active' | 'delayed' | 'failed', number>;

/** Failed tasks kept per queue name (BullMQ keeps 1000 too); the oldest goes first. */
export const FAILED_KEPT = 1000;

interface LocalJob {
  readonly taskId: string;
  readonly type: TaskType;
  readonly priority: TaskPriority;
  readonly attempts: number;
  readonly backoffMs: number;
  state: 'waiting' | 'delayed' | 'active';
  /** Deliveries that have ended (BullMQ's `attemptsMade`): the next one is attempt n + 1. */
  attemptsMade: number;
  timer: NodeJS.Timeout | undefined;
  controller: AbortController | undefined;
}

interface FailedTask {
  type: TaskType;
  attempt: number;
  reason: string;
  failedAt: number;
}

/** One instance's consumption of one queue name: its own concurrency limit. */
export interface Consumer {
  readonly processor: TaskProcessor;
  readonly concurrency: number;
  running: number;
  readonly logger: Logger;
  /** Hands each delivery to the owning instance, which waits for it on close. */
  readonly track: (delivery: Promise<void>) => void;
}

export class Channel {
  private readonly jobs = new Map<string, LocalJob>();
  private readonly waiting = new WaitingList<LocalJob>();
  private readonly failed = new Map<string, FailedTask>();
  private readonly consumers: Consumer[] = [];
  private active = 0;
  /** Round-robin start among consumers, so instances sharing a queue name share its work. */
  private nextConsumer = 0;
  private drainScheduled = false;

  constructor(readonly name: string) {}

  /** Queues a task; false (and nothing changes) when its id is already waiting, delayed or active. */
  add(options: EnqueueOptions): boolean {
    if (this.jobs.has(options.taskId)) return false;
    // A new job under a failed task's id replaces the failed one, as a re-enqueue does in BullMQ.
    this.failed.delete(options.taskId);
    const job: LocalJob = {
      taskId: options.taskId,
      type: options.type,
      priority: options.priority,
      attempts: Math.max(1, Math.floor(options.attempts)),
      backoffMs: Math.max(0, options.backoffMs),
      state: 'waiting',
      attemptsMade: 0,
      timer: undefined,
      controller: undefined,
    };
    this.jobs.set(job.taskId, job);
    this.makeWaiting(job);
    return true;
  }

  /** Aborts an active task's signal or removes a waiting or delayed one; false when not held. */
  cancel(taskId: string, reason: string): boolean {
    const job = this.jobs.get(taskId);
    if (!job) return false;
    if (job.state === 'active') {
      // It stays held until its processor settles; `settle` then fails it without a retry.
      job.controller?.abort(reason);
      return true;
    }
    clearTimeout(job.timer);
    this.waiting.delete(taskId);
    this.jobs.delete(taskId);
    return true;
  }

  has(taskId: string): boolean {
    return this.jobs.has(taskId);
  }

  counts(): Counts {
    const waiting = this.waiting.size;
    return {
      waiting,
      active: this.active,
      delayed: this.jobs.size - waiting - this.active,
      failed: this.failed.size,
    };
  }

  /** Waiting tasks by priority (delayed and active ones are not waiting). */
  depth(): PriorityCounts {
    return this.waiting.sizeByPriority();
  }

  addConsumer(consumer: Consumer): void {
    this.consumers.push(consumer);
    this.scheduleDrain();
  }

  /** Stops giving work to `consumer`; its running deliveries still settle here. */
  removeConsumer(consumer: Consumer): void {
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) this.consumers.splice(index, 1);
    this.nextConsumer = 0;
  }

  /** Drops everything once no instance uses the namespace any more: only the timers matter. */
  dispose(): void {
    for (const job of this.jobs.values()) clearTimeout(job.timer);
    this.jobs.clear();
    this.waiting.clear();
    this.failed.clear();
  }

  private makeWaiting(job: LocalJob): void {
    job.state = 'waiting';
    this.waiting.push(job);
    this.scheduleDrain();
  }

  /**
   * Drains on the microtask queue, not in the caller's stack: a processor never starts inside
   * `enqueue`, and tasks enqueued in the same tick are delivered in priority order.
   */
  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.waiting.size > 0) {
      const consumer = this.freeConsumer();
      if (!consumer) return;
      const job = this.waiting.shift();
      if (!job) return;
      this.start(job, consumer);
    }
  }

  private freeConsumer(): Consumer | undefined {
    const n = this.consumers.length;
    for (let i = 0; i < n; i++) {
      const index = (this.nextConsumer + i) % n;
      const consumer = this.consumers[index]!;
      if (consumer.running < consumer.concurrency) {
        this.nextConsumer = (index + 1) % n;
        return consumer;
      }
    }
    return undefined;
  }

  private start(job: LocalJob, consumer: Consumer): void {
    job.state = 'active';
    job.controller = new AbortController();
    this.active++;
    consumer.running++;
    const task = { taskId: job.taskId, type: job.type, attempt: job.attemptsMade + 1 };
    consumer.track(
      deliver(consumer.processor, task, job.attempts, job.controller.signal).then((outcome) =>
        this.settle(job, consumer, outcome),
      ),
    );
  }

  private settle(job: LocalJob, consumer: Consumer, outcome: DeliveryOutcome): void {
    this.active--;
    consumer.running--;
    job.controller = undefined;
    if (outcome.kind === 'handed-back') {
      // Not an attempt: the processor gave the task back before it could run it to the end.
      consumer.logger.info(
        { taskId: job.taskId, queueName: this.name, reason: outcome.reason },
        'task handed back',
      );
      this.makeWaiting(job);
      this.drain();
      return;
    }
    job.attemptsMade++;
    const context = { taskId: job.taskId, queueName: this.name, attempt: job.attemptsMade };
    if (outcome.kind === 'completed') {
      this.jobs.delete(job.taskId);
    } else if (outcome.kind === 'retry') {
      const delayMs = retryDelayMs(job.backoffMs, job.attemptsMade);
      consumer.logger.warn({ ...context, err: outcome.error, delayMs }, 'task failed; will retry');
      if (delayMs > 0) {
        job.state = 'delayed';
        job.timer = setTimeout(() => {
          job.timer = undefined;
          this.makeWaiting(job);
        }, delayMs);
      } else {
        this.makeWaiting(job);
      }
    } else {
      this.jobs.delete(job.taskId);
      this.recordFailure(job, outcome.reason);
      // A cancel is asked for, not a fault: no warning for it.
      const level = outcome.cancelled ? 'debug' : 'warn';
      consumer.logger[level]({ ...context, err: outcome.error, reason: outcome.reason }, 'task failed');
    }
    // The slot this delivery held is free again.
    this.drain();
  }

  private recordFailure(job: LocalJob, reason: string): void {
    this.failed.set(job.taskId, { type: job.type, attempt: job.attemptsMade, reason, failedAt: Date.now() });
    if (this.failed.size > FAILED_KEPT) {
      const oldest = this.failed.keys().next();
      if (!oldest.done) this.failed.delete(oldest.value);
    }
  }
}
