import type { ExecutionMinute, ExecutionStats, RecentFailure } from '../core/activity.js';
import type { Access } from '../core/principal.js';
import type { PriorityCounts, TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import { TASK_PRIORITIES } from '../core/task.js';
import { VM_STATUSES } from '../core/vm.js';
import type { WorkerRecord } from '../core/worker.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Minutes of executions the overview shows, the current one last. */
export const ACTIVITY_WINDOW_MINUTES = 60;
/** Failures the overview lists, from the last day. */
export const RECENT_FAILURES = 20;

export type QueueCounts = Record<'waiting' | 'active' | 'delayed' | 'failed', number>;

/** The queue as it sees itself: summed over every queue name, and the depth of each. */
export interface QueueSnapshot {
  kind: TaskQueue['kind'];
  counts: QueueCounts;
  depth: Record<string, PriorityCounts>;
}

/** What `GET /overview` shows a caller: its own VMs, executions and failures; the cluster's queue. */
export interface FleetOverview {
  /** When it was read: bucket times and heartbeat ages count from here. */
  at: Date;
  vms: { total: number; byStatus: Record<string, number>; byDriver: Record<string, number> };
  /** Null when the queue could not be read: the rest of the overview still answers. */
  queue: { depth: PriorityCounts; counts: QueueCounts } | null;
  executions: { windowMinutes: number; buckets: ExecutionMinute[]; total: ExecutionStats };
  failures: RecentFailure[];
  /** Workers heard from in the last day; null for callers that are not admins (platform data). */
  workers: WorkerRecord[] | null;
}

export interface OverviewDeps {
  store: Pick<Store, 'countVms' | 'executionActivity' | 'listRecentFailures' | 'listWorkers'>;
  queue: Pick<TaskQueue, 'kind' | 'counts' | 'depth'>;
  now?: () => number;
}

/** The fleet at a glance, scoped like every read: a project's caller sees its project. */
export class OverviewService {
  constructor(private readonly deps: OverviewDeps) {}

  async overview(access: Access): Promise<FleetOverview> {
    const at = new Date((this.deps.now ?? Date.now)());
    const windowStart = new Date(
      Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS - (ACTIVITY_WINDOW_MINUTES - 1) * MINUTE_MS,
    );
    const project = access.all ? {} : { project: access.project };
    const [counts, activity, failures, queue, workers] = await Promise.all([
      this.deps.store.countVms(project),
      this.deps.store.executionActivity({ ...project, since: windowStart }),
      this.deps.store.listRecentFailures({
        ...project,
        since: new Date(at.getTime() - DAY_MS),
        limit: RECENT_FAILURES,
      }),
      this.queue().then(
        (snapshot) => ({ depth: sumDepth(snapshot.depth), counts: snapshot.counts }),
        // Redis down leaves the queue's figures out, not the whole page.
        () => null,
      ),
      access.all ? this.deps.store.listWorkers() : Promise.resolve(null),
    ]);
    const byStatus: Record<string, number> = Object.fromEntries(
      VM_STATUSES.filter((status) => status !== 'deleted').map((status) => [status, 0]),
    );
    const byDriver: Record<string, number> = {};
    for (const { status, driver, count } of counts) {
      byStatus[status] = (byStatus[status] ?? 0) + count;
      byDriver[driver] = (byDriver[driver] ?? 0) + count;
    }
    const perMinute = new Map(activity.minutes.map((minute) => [minute.minute.getTime(), minute]));
    const buckets = Array.from({ length: ACTIVITY_WINDOW_MINUTES }, (_, i): ExecutionMinute => {
      const minute = new Date(windowStart.getTime() + i * MINUTE_MS);
      return perMinute.get(minute.getTime()) ?? { minute, count: 0, failed: 0, p50Ms: null, p99Ms: null };
    });
    return {
      at,
      vms: { total: counts.reduce((sum, c) => sum + c.count, 0), byStatus, byDriver },
      queue,
      executions: { windowMinutes: ACTIVITY_WINDOW_MINUTES, buckets, total: activity.total },
      failures,
      workers: workers?.filter((worker) => at.getTime() - worker.lastHeartbeatAt.getTime() < DAY_MS) ?? null,
    };
  }

  /**
   * The queue across the cluster: `depth()` names every queue any instance has used, and the
   * counts are asked of each of those names (a queue counts only the names it has opened).
   */
  async queue(): Promise<QueueSnapshot> {
    const depth = await this.deps.queue.depth();
    const perName = await Promise.all(Object.keys(depth).map((name) => this.deps.queue.counts(name)));
    const counts: QueueCounts = { waiting: 0, active: 0, delayed: 0, failed: 0 };
    for (const one of perName) {
      for (const key of Object.keys(counts) as (keyof QueueCounts)[]) counts[key] += one[key];
    }
    return { kind: this.deps.queue.kind, counts, depth };
  }
}

function sumDepth(depth: Record<string, PriorityCounts>): PriorityCounts {
  const sum = Object.fromEntries(TASK_PRIORITIES.map((priority) => [priority, 0])) as PriorityCounts;
  for (const counts of Object.values(depth)) {
    for (const priority of TASK_PRIORITIES) sum[priority] += counts[priority];
  }
  return sum;
}
