import type { TaskPriority, TaskType } from './task.js';

/** Tasks waiting in one queue name, by priority. */
export type PriorityCounts = Record<TaskPriority, number>;

/** What the queue carries: only enough to find the task in the store. */
export interface QueuedTask {
  /** The task id; also the queue's job id, so enqueueing twice is a no-op. */
  taskId: string;
  type: TaskType;
  /** 1-based attempt number of this delivery. */
  attempt: number;
}

export interface EnqueueOptions {
  taskId: string;
  type: TaskType;
  priority: TaskPriority;
  /** Total deliveries allowed (1 + retries). */
  attempts: number;
  /** First retry delay in ms; doubles each attempt. */
  backoffMs: number;
  /** Target queue: the shared one, or a worker's own (`worker:<id>`). Default: shared. */
  queueName?: string;
}

/** Thrown by a handler to tell the queue not to retry, whatever attempts remain. */
export class PermanentFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentFailure';
  }
}

/**
 * Thrown by a processor to put the task back in its queue as it was: not an attempt and not a
 * failure. For a worker that stops (drains or fences itself) in the middle of a task that may run
 * again elsewhere.
 */
export class HandBack extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandBack';
  }
}

export type TaskProcessor = (task: QueuedTask, signal: AbortSignal) => Promise<void>;

export interface ConsumeOptions {
  queueNames: readonly string[];
  concurrency: number;
}

/**
 * Dispatch only: the store is the record. Rules every implementation keeps:
 * - `enqueue` with a task id that is already queued or running does nothing (idempotent).
 * - Higher priority (critical first) is delivered before lower among waiting tasks.
 * - A processor that throws is retried with exponential backoff until `attempts` is spent,
 *   except for `PermanentFailure`, which is never retried, and `HandBack`, which re-queues the
 *   task without counting an attempt.
 * - `cancel` aborts the processor's signal for a running task and removes a waiting one.
 * - `close` stops taking work and waits for running processors to settle.
 */
export interface TaskQueue {
  readonly kind: 'bullmq-redis' | 'bullmq-pglite' | 'bullmq-postgres' | 'local';
  enqueue(options: EnqueueOptions): Promise<void>;
  consume(processor: TaskProcessor, options: ConsumeOptions): Promise<void>;
  cancel(taskId: string, reason: string): Promise<boolean>;
  /** True when the queue holds the task (waiting, delayed or active). */
  has(taskId: string, queueName?: string): Promise<boolean>;
  /**
   * For a task the store says no attempt runs: if the queue still holds it as running because
   * the consumer that took it died (its lock has lapsed, or `holderGone` says that process is
   * known to be gone), puts it back to waiting so a live consumer takes it now instead of after
   * the queue's own stall detection. True when it did. A task whose lock a live consumer still
   * renews is left alone.
   */
  reclaim(taskId: string, queueName: string, options?: { holderGone?: boolean }): Promise<boolean>;
  counts(queueName?: string): Promise<Record<'waiting' | 'active' | 'delayed' | 'failed', number>>;
  /**
   * The queue's depth: tasks waiting to be delivered, by queue name and priority (running tasks
   * and delayed retries are not counted; `counts` has them). Every priority is present, zeros
   * included. Without a queue name: every queue name any instance of the namespace has used;
   * with one: that name only, zeros if it was never used.
   */
  depth(queueName?: string): Promise<Record<string, PriorityCounts>>;
  /**
   * Stops handing new tasks to this instance's processors; running ones go on, and tasks stay
   * queued for other consumers. For a worker that drains or fences itself.
   */
  pause(): Promise<void>;
  /** Undoes `pause`. */
  resume(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Work any worker may take: deletes of VMs whose worker is gone, snapshot deletes without a home. */
export const SHARED_QUEUE = 'tasks';
/** A worker's own queue: work on the VMs it holds. */
export function workerQueueName(workerId: string): string {
  return `worker-${workerId}`;
}
/**
 * Creates of VMs of one driver: only workers that run that driver consume it, so a create never
 * lands on a worker without its driver. Each consumer takes as many as it has free slots.
 */
export function driverQueueName(driver: string): string {
  return `create-${driver}`;
}
