/**
 * `TaskQueue` over BullMQ, the same for every backend: one BullMQ Queue (producer) and at most
 * one Worker per queue name, job id = task id, priorities, retries with exponential backoff,
 * cancellation through the processor's AbortSignal, and graceful close.
 */

import { randomUUID } from 'node:crypto';
import type { JobState, JobsOptions } from 'bullmq';
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
import { PRIORITY_RANK, TASK_PRIORITIES } from '../../core/task.js';
import { assertConsumeOptions } from '../consume-options.js';
import {
  type BullmqBackend,
  type BullmqQueueOptions,
  DEFAULT_RETENTION,
  type JobRetention,
  type QueueHandle,
  type TaskJobData,
  type WorkerHandle,
} from './backend.js';
import { type CancelRelay, CONTROL_QUEUE, createCancelRelay } from './cancel-relay.js';
import { toJobOptions } from './job-options.js';
import { toBullProcessor } from './processor.js';

type Counts = Record<'waiting' | 'active' | 'delayed' | 'failed', number>;

/** BullMQ's priority number of each of ours (see job-options.ts). */
const RANKS = TASK_PRIORITIES.map((priority) => PRIORITY_RANK[priority]);

/** States in which the queue still "holds" a task (`has`). */
const HELD_STATES: ReadonlySet<JobState | 'unknown'> = new Set<JobState | 'unknown'>([
  'waiting',
  'prioritized',
  'delayed',
  'active',
  'waiting-children',
]);
const REMOVABLE_STATES: ReadonlySet<JobState | 'unknown'> = new Set<JobState | 'unknown'>([
  'waiting',
  'prioritized',
  'delayed',
]);

/** BullMQ rejects ids with `:` and all-digit ids (they collide with its own counters). */
function assertJobId(taskId: string): void {
  if (taskId === '' || taskId.includes(':') || /^\d+$/.test(taskId)) {
    throw new AetherError('ERR_VALIDATION', `task id ${JSON.stringify(taskId)} cannot be a queue job id`);
  }
}

function unavailable(action: string, error: unknown): AetherError {
  if (error instanceof AetherError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AetherError('ERR_QUEUE_UNAVAILABLE', `queue ${action} failed: ${message}`, { cause: error });
}

export class BullmqTaskQueue implements TaskQueue {
  readonly kind: TaskQueue['kind'];
  private readonly logger: Logger;
  private readonly retention: JobRetention;
  private readonly queues = new Map<string, QueueHandle>();
  private readonly workers = new Map<string, WorkerHandle>();
  private readonly pending = new Set<Promise<void>>();
  private relay: CancelRelay | undefined;
  private paused = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly backend: BullmqBackend,
    private readonly options: BullmqQueueOptions = {},
  ) {
    this.kind = backend.kind;
    this.logger = (options.logger ?? silentLogger).child({ component: 'queue', queue: backend.kind });
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.queue(SHARED_QUEUE);
  }

  /** Resolves once the shared queue's connection is usable. */
  async ready(): Promise<void> {
    try {
      await this.queue(SHARED_QUEUE).waitUntilReady();
    } catch (error) {
      throw unavailable('start', error);
    }
  }

  async enqueue(options: EnqueueOptions): Promise<void> {
    assertJobId(options.taskId);
    this.assertOpen();
    const queueName = options.queueName ?? SHARED_QUEUE;
    const jobOptions = toJobOptions(options, this.retention);
    const queue = this.queue(queueName);
    // A duplicate job id is a no-op in BullMQ: the existing job is left as it is. That is what we
    // want while it is queued or running; a finished one is replaced in the background (below).
    const data: TaskJobData = { queueName, token: randomUUID() };
    try {
      await queue.add(options.type, data, jobOptions);
    } catch (error) {
      throw unavailable('enqueue', error);
    }
    this.background(this.replaceFinished(queue, options.type, options.taskId, data, jobOptions));
  }

  /**
   * A failed job we keep for inspection would swallow a re-enqueue of its task (say, by the
   * reconciler). If the job under this id is not the one we just added (other token) and it
   * has finished, replace it. Off the dispatch path: the add has already woken a worker.
   */
  private async replaceFinished(
    queue: QueueHandle,
    type: string,
    taskId: string,
    data: TaskJobData,
    jobOptions: JobsOptions,
  ): Promise<void> {
    const existing = await queue.getJob(taskId);
    if (!existing || existing.data.token === data.token) return;
    const state = await queue.getJobState(taskId);
    if ((state === 'failed' || state === 'completed') && (await queue.remove(taskId)) === 1) {
      await queue.add(type, data, jobOptions);
      this.logger.debug({ taskId, replaced: state }, 'replaced a finished job on re-enqueue');
    }
  }

  private background(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => this.logger.warn({ err: error }, 'queue background work failed'))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /**
   * One BullMQ Worker per queue name, each running up to `concurrency` processors: the limit is
   * per queue name, so a worker's own queue is never starved by the shared one.
   */
  async consume(processor: TaskProcessor, options: ConsumeOptions): Promise<void> {
    this.assertOpen();
    assertConsumeOptions(options, (name) => this.workers.has(name));

    const bullProcessor = toBullProcessor(processor, () => this.paused);
    const started: WorkerHandle[] = [];
    for (const name of options.queueNames) {
      this.queue(name);
      const worker = this.backend.createWorker(name, bullProcessor, {
        concurrency: options.concurrency,
        lockDuration: this.options.lockDurationMs ?? 30_000,
        stalledInterval: this.options.stalledIntervalMs ?? 30_000,
        // Only a fallback: producers wake blocked workers at once (BZPOPMIN marker / NOTIFY).
        drainDelay: 5,
      });
      worker.on('error', (error) => this.logger.warn({ err: error, queueName: name }, 'queue worker error'));
      if (this.paused) void worker.pause(true);
      this.workers.set(name, worker);
      started.push(worker);
    }
    this.relay ??= createCancelRelay(
      this.backend,
      (taskId, reason) => this.cancelLocal(taskId, reason),
      this.logger,
    );
    try {
      await Promise.all([...started.map((worker) => worker.waitUntilReady()), this.relay.listen()]);
    } catch (error) {
      throw unavailable('consume', error);
    }
  }

  /**
   * Aborts the task if a worker of this instance runs it; else removes it if it waits in any
   * queue of this namespace; else, if another instance runs it, asks that one to abort it.
   */
  async cancel(taskId: string, reason: string): Promise<boolean> {
    if (this.cancelLocal(taskId, reason)) return true;
    try {
      const known = [...this.queues.keys()];
      for (const name of known) if (await this.cancelIn(name, taskId, reason)) return true;
      // A queue this instance never touched (say, a worker's own queue after a gateway restart).
      for (const name of await this.backend.listQueueNames()) {
        if (known.includes(name) || name === CONTROL_QUEUE) continue;
        if (await this.cancelIn(name, taskId, reason)) return true;
      }
      return false;
    } catch (error) {
      throw unavailable('cancel', error);
    }
  }

  private async cancelIn(name: string, taskId: string, reason: string): Promise<boolean> {
    const queue = this.queue(name);
    const state = await queue.getJobState(taskId);
    if (REMOVABLE_STATES.has(state) && (await queue.remove(taskId)) === 1) {
      this.logger.debug({ taskId, queueName: name, reason }, 'removed queued task');
      return true;
    }
    // Active, or it became active between the two calls: some consumer runs it. If it is one of
    // ours the local abort already caught it; otherwise tell the other instances.
    if (state === 'active' || REMOVABLE_STATES.has(state)) {
      await this.cancelRelay().publish(taskId, reason);
      return true;
    }
    return false;
  }

  /** Without a queue name: every queue name this instance has enqueued to or consumes. */
  async has(taskId: string, queueName?: string): Promise<boolean> {
    const names = queueName === undefined ? [...this.queues.keys()] : [queueName];
    try {
      for (const name of names) {
        if (HELD_STATES.has(await this.queue(name).getJobState(taskId))) return true;
      }
      return false;
    } catch (error) {
      throw unavailable('lookup', error);
    }
  }

  async reclaim(taskId: string, queueName: string, options: { holderGone?: boolean } = {}): Promise<boolean> {
    this.assertOpen();
    try {
      const queue = this.queue(queueName);
      if ((await queue.getJobState(taskId)) !== 'active') return false;
      if (!options.holderGone && (await this.backend.isJobLocked(queueName, taskId))) return false;
      const job = await queue.getJob(taskId);
      if (!job) return false;
      // Token '0' skips BullMQ's lock check: the holder is gone, so nobody can present its token.
      await job.moveToWait('0');
      await this.backend.wakeConsumers(queueName);
      this.logger.warn({ taskId, queueName }, 'put a task back whose consumer died while holding it');
      return true;
    } catch (error) {
      throw unavailable('reclaim', error);
    }
  }

  /** Without a queue name: the sum over every queue name this instance has used. */
  async counts(queueName?: string): Promise<Counts> {
    const names = queueName === undefined ? [...this.queues.keys()] : [queueName];
    const total: Counts = { waiting: 0, active: 0, delayed: 0, failed: 0 };
    try {
      for (const name of names) {
        const c = await this.queue(name).getJobCounts(
          'waiting',
          'prioritized',
          'active',
          'delayed',
          'failed',
        );
        // Redis reports prioritized jobs apart from plain waiting ones; for us both are waiting.
        total.waiting += (c.waiting ?? 0) + (c.prioritized ?? 0);
        total.active += c.active ?? 0;
        total.delayed += c.delayed ?? 0;
        total.failed += c.failed ?? 0;
      }
    } catch (error) {
      throw unavailable('counts', error);
    }
    return total;
  }

  /**
   * Without a queue name: every queue name of the namespace, used by any instance (the gateway
   * never consumes the workers' own queues, yet its scrape must show them).
   */
  async depth(queueName?: string): Promise<Record<string, PriorityCounts>> {
    const depth: Record<string, PriorityCounts> = {};
    try {
      const names =
        queueName === undefined
          ? (await this.backend.listQueueNames()).filter((name) => name !== CONTROL_QUEUE)
          : [queueName];
      for (const name of names) {
        const perRank = await this.queue(name).getCountsPerPriority(RANKS);
        depth[name] = Object.fromEntries(
          TASK_PRIORITIES.map((priority) => [priority, perRank[String(PRIORITY_RANK[priority])] ?? 0]),
        ) as PriorityCounts;
      }
    } catch (error) {
      throw unavailable('depth', error);
    }
    return depth;
  }

  async pause(): Promise<void> {
    this.paused = true;
    // Without waiting for running jobs: the caller decides how long those may take.
    await Promise.all([...this.workers.values()].map((worker) => worker.pause(true)));
  }

  async resume(): Promise<void> {
    this.assertOpen();
    this.paused = false;
    for (const worker of this.workers.values()) worker.resume();
  }

  async ping(): Promise<void> {
    try {
      await this.backend.ping();
    } catch (error) {
      throw unavailable('ping', error);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    // Workers first: each stops fetching and waits for its running processors to settle.
    await Promise.allSettled([...this.workers.values()].map((worker) => worker.close()));
    await this.relay?.close();
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
    await this.backend.close();
  }

  private cancelLocal(taskId: string, reason: string): boolean {
    let found = false;
    for (const worker of this.workers.values()) found = worker.cancelJob(taskId, reason) || found;
    return found;
  }

  private cancelRelay(): CancelRelay {
    this.relay ??= createCancelRelay(
      this.backend,
      (taskId, reason) => this.cancelLocal(taskId, reason),
      this.logger,
    );
    return this.relay;
  }

  private queue(name: string): QueueHandle {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.backend.createQueue(name);
      queue.on('error', (error) => this.logger.warn({ err: error, queueName: name }, 'queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private assertOpen(): void {
    if (this.closing) throw new AetherError('ERR_QUEUE_UNAVAILABLE', 'queue is closed');
  }
}
