/**
 * The seam between our `TaskQueue` and BullMQ's datastore backends. BullMQ's Queue and Worker are
 * the same classes for Redis and PostgreSQL; what differs is how they are constructed, how names
 * are namespaced, and how the connection is pinged and closed. Each backend file provides one
 * `BullmqBackend`; `BullmqTaskQueue` holds all the queue semantics.
 */
import type { Job, JobState, JobsOptions, JobType, Processor, WorkerOptions } from 'bullmq';
import type { Logger } from '../../core/logger.js';
import type { TaskQueue } from '../../core/queue.js';

/** What we put in a BullMQ job: the store is the record, so only what routing needs. */
export interface TaskJobData {
  /** Our queue name (without any namespace), so a processor knows where the job came from. */
  queueName: string;
  /** Unique per enqueue call: tells our job apart from an older one under the same id. */
  token: string;
}

/** The slice of BullMQ's `Queue` we use; both backends' Queue classes satisfy it. */
export interface QueueHandle {
  add(name: string, data: TaskJobData, opts?: JobsOptions): Promise<Job<TaskJobData>>;
  getJob(jobId: string): Promise<Job<TaskJobData> | undefined>;
  getJobState(jobId: string): Promise<JobState | 'unknown'>;
  remove(jobId: string): Promise<number>;
  getJobCounts(...types: JobType[]): Promise<Record<string, number>>;
  /** Waiting jobs per BullMQ priority number, keyed by that number. */
  getCountsPerPriority(priorities: number[]): Promise<Record<string, number>>;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The slice of BullMQ's `Worker` we use. */
export interface WorkerHandle {
  cancelJob(jobId: string, reason?: string): boolean;
  waitUntilReady(): Promise<unknown>;
  close(force?: boolean): Promise<void>;
  pause(doNotWaitActive?: boolean): Promise<void>;
  resume(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The slice of BullMQ's QueueEvents / QueueEventsProducer used to relay cancellations. */
export interface EventsHandle {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
  on(event: string, listener: (...args: never[]) => void): unknown;
}
export interface EventsProducerHandle {
  publishEvent(event: { eventName: string } & Record<string, string>, maxEvents?: number): Promise<void>;
  close(): Promise<void>;
}

/** Worker settings the backend passes straight to BullMQ (plus its own connection). */
export type BullWorkerSettings = Omit<WorkerOptions, 'connection' | 'prefix'>;

export interface BullmqBackend {
  readonly kind: TaskQueue['kind'];
  /** Producer for one of our queue names (already namespaced by the backend). */
  createQueue(name: string): QueueHandle;
  createWorker(name: string, processor: Processor<TaskJobData>, settings: BullWorkerSettings): WorkerHandle;
  /** Listener for custom events on `name` (cross-process cancellation). */
  createEvents(name: string): EventsHandle;
  createEventsProducer(name: string): EventsProducerHandle;
  /** Every queue name in this namespace that has been used, by any instance. */
  listQueueNames(): Promise<string[]>;
  /** True while some consumer holds (and renews) the lock of an active job. */
  isJobLocked(name: string, jobId: string): Promise<boolean>;
  /**
   * Wakes consumers blocked waiting for work on `name`. BullMQ wakes them when a job is added,
   * but not when an active job of a priority is moved back to waiting.
   */
  wakeConsumers(name: string): Promise<void>;
  ping(): Promise<void>;
  /** Closes what the backend opened; connections handed in by the caller stay open. */
  close(): Promise<void>;
}

/** Retention of finished jobs. The store is the record; the queue keeps a little for debugging. */
export interface JobRetention {
  /** Failed jobs kept for inspection, newest first. Default 1000. */
  keepFailedCount: number;
  /** Failed jobs older than this are dropped (seconds). Default 24 h. */
  keepFailedAgeSec: number;
}

/** Options every `create*Queue` factory accepts. */
export interface BullmqQueueOptions {
  /** Namespace for every queue name, so several deployments or tests share one server. Default `aether`. */
  prefix?: string;
  logger?: Logger;
  retention?: Partial<JobRetention>;
  /**
   * How long a worker lock lasts (ms) before a silent worker's job counts as stalled and is
   * delivered again. BullMQ renews it at half this interval. Default 30 000.
   */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs (ms). Default 30 000. */
  stalledIntervalMs?: number;
}

export const DEFAULT_PREFIX = 'aether';
export const DEFAULT_RETENTION: JobRetention = { keepFailedCount: 1000, keepFailedAgeSec: 24 * 3600 };

/**
 * BullMQ forbids `:` in queue names (Redis key separator); we use `.` between namespace and name
 * on backends that have no native prefix.
 */
export function namespacedName(prefix: string, name: string): string {
  return `${prefix}.${name}`;
}

/** Our name back from a namespaced one, or undefined when it belongs to another namespace. */
export function localName(prefix: string, physical: string): string | undefined {
  return physical.startsWith(`${prefix}.`) ? physical.slice(prefix.length + 1) : undefined;
}
