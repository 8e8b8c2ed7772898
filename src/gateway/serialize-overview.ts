import type { z } from 'zod';
import type { overviewSchema, queueView } from '../api/overview.js';
import type { ExecutionMinute, ExecutionStats, RecentFailure } from '../core/activity.js';
import type { FleetOverview, QueueSnapshot } from '../service/overview-service.js';

type Overview = z.output<typeof overviewSchema>;
type QueueView = z.output<typeof queueView>;

/** Percentiles are continuous: whole milliseconds are precise enough to show. */
const ms = (value: number | null) => (value === null ? null : Math.round(value));

function statsJson(stats: ExecutionStats) {
  return { count: stats.count, failed: stats.failed, p50_ms: ms(stats.p50Ms), p99_ms: ms(stats.p99Ms) };
}

function bucketJson(bucket: ExecutionMinute) {
  return { at: bucket.minute.toISOString(), ...statsJson(bucket) };
}

/** How a failure ended, in words: its error's message, or how its command ended. */
function failureMessage(failure: RecentFailure): string | null {
  if (failure.error) return failure.error.message;
  if (failure.timedOut) return 'timed out';
  if (failure.exitCode !== null) return `exit code ${failure.exitCode}`;
  if (failure.signal !== null) return `killed by ${failure.signal}`;
  return null;
}

export function failureJson(failure: RecentFailure): Overview['failures'][number] {
  return {
    kind: failure.kind,
    id: failure.id,
    vm_id: failure.vmId,
    type: failure.type,
    code: failure.error?.code ?? null,
    message: failureMessage(failure),
    at: failure.at.toISOString(),
  };
}

export function overviewJson(overview: FleetOverview): Overview {
  const now = overview.at.getTime();
  return {
    vms: {
      total: overview.vms.total,
      by_status: overview.vms.byStatus,
      by_driver: overview.vms.byDriver,
    },
    queue: overview.queue && { depth: overview.queue.depth, ...overview.queue.counts },
    executions: {
      window_minutes: overview.executions.windowMinutes,
      buckets: overview.executions.buckets.map(bucketJson),
      ...statsJson(overview.executions.total),
    },
    failures: overview.failures.map(failureJson),
    workers:
      overview.workers?.map((worker) => ({
        id: worker.id,
        status: worker.status,
        // The database's clock stamped the heartbeat: a little skew must not read as negative.
        heartbeat_age_ms: Math.max(0, now - worker.lastHeartbeatAt.getTime()),
        drivers: worker.drivers,
        running: worker.activeTasks,
        capacity: worker.capacity,
      })) ?? null,
  };
}

export function queueJson(queue: QueueSnapshot): QueueView {
  return { kind: queue.kind, counts: queue.counts, depth: queue.depth };
}
