import { z } from 'zod';
import { TASK_PRIORITIES, type TaskPriority } from '../core/task.js';
import { WORKER_STATUSES } from '../core/worker.js';
import { driverName, timestamp } from './fields.js';

/** The fleet at a glance (`GET /overview`) and the queue's own view for admins (`GET /queue`). */

export const OVERVIEW_WINDOW_MINUTES = 60;
export const OVERVIEW_FAILURES_MAX = 20;

const count = z.number().int().min(0);

const priorityCounts = z
  .object(
    Object.fromEntries(TASK_PRIORITIES.map((priority) => [priority, count])) as Record<
      TaskPriority,
      typeof count
    >,
  )
  .meta({ id: 'PriorityCounts', description: 'Tasks waiting to be delivered, by priority' });

const queueCounts = {
  waiting: count.describe('Waiting to be delivered'),
  active: count.describe('Delivered to a worker and running'),
  delayed: count.describe('Retries waiting out their backoff'),
  failed: count.describe('Given up by the queue (the store holds why)'),
};

const latency = z.number().min(0).nullable();

const executionBucket = z
  .object({
    at: timestamp.describe("The minute's start"),
    count,
    failed: count,
    p50_ms: latency,
    p99_ms: latency,
  })
  .meta({ id: 'ExecutionBucket', description: 'Executions completed within one minute' });

const failure = z
  .object({
    kind: z.enum(['task', 'execution']),
    id: z.string(),
    vm_id: z.string().nullable(),
    type: z.string().describe("The task's type (`vm:create`…), or `execute` for an execution"),
    code: z.string().nullable().describe('The error code; null for a command that ran and failed'),
    message: z
      .string()
      .nullable()
      .describe("The error's message, or how the command ended (`exit code 2`, `timed out`…)"),
    at: timestamp,
  })
  .meta({ id: 'Failure', description: 'A failed task or execution' });

const workerSummary = z
  .object({
    id: z.string(),
    status: z.enum(WORKER_STATUSES),
    heartbeat_age_ms: count.describe("Since its last heartbeat, by this gateway's clock"),
    drivers: z.array(driverName),
    running: count.describe('Tasks it runs now'),
    capacity: count.describe('Tasks it runs at once'),
  })
  .meta({ id: 'WorkerSummary' });

export const overviewSchema = z
  .object({
    vms: z.object({
      total: count.describe('VMs that are not deleted'),
      by_status: z.record(z.string(), count).describe('Every status but `deleted`, zeros included'),
      by_driver: z.record(z.string(), count).describe('Drivers that have VMs'),
    }),
    queue: z
      .object({
        depth: priorityCounts.describe('Summed over every queue name'),
        ...queueCounts,
      })
      .nullable()
      .describe('Cluster-wide (the queue has no per-project split); null when the queue cannot be read now'),
    executions: z.object({
      window_minutes: z.number().int(),
      buckets: z
        .array(executionBucket)
        .describe('One per minute, oldest first, the last being the current minute; empty minutes are zeros'),
      count,
      failed: count.describe('Did not exit with code 0: a non-zero exit, a time-out, a signal or an error'),
      p50_ms: latency.describe('Median of `duration_ms` over the window; null when none'),
      p99_ms: latency,
    }),
    failures: z
      .array(failure)
      .describe(
        `The latest ${OVERVIEW_FAILURES_MAX} of the last 24 h, newest first: failed tasks (but \`vm:execute\`, whose execution is listed) and executions that did not exit 0`,
      ),
    workers: z
      .array(workerSummary)
      .nullable()
      .describe('Workers heard from in the last 24 h; null for callers who are not admins'),
  })
  .meta({
    id: 'Overview',
    description: "The caller's VMs, executions and failures, with the queue and workers",
  });

export const queueView = z
  .object({
    kind: z.string().describe('`local`, `bullmq-redis`, `bullmq-postgres` or `bullmq-pglite`'),
    counts: z.object(queueCounts).describe('Summed over every queue name'),
    depth: z.record(z.string(), priorityCounts).describe('Waiting tasks by queue name and priority'),
  })
  .meta({ id: 'QueueView', description: 'The task queue as it sees itself, across the cluster' });
