/**
 * The overview's reads: executions per minute with their latency percentiles, and the latest
 * failures. Grouped and bounded in the database; only figures and error fields come back.
 */
import { and, desc, eq, gte, isNotNull, ne, type SQL, sql } from 'drizzle-orm';
import type {
  ActivityFilter,
  ExecutionActivity,
  ExecutionMinute,
  ExecutionStats,
  FailureFilter,
  RecentFailure,
} from '../../core/activity.js';
import { executions, tasks } from '../schema.js';
import type { Db } from './db.js';
import { executionFailedSql } from './execution-queries.js';

const MINUTE_MS = 60_000;

/** Whole minutes since the epoch: independent of the session's time zone, and a plain number. */
const completedMinute = sql<number | null>`floor(extract(epoch from ${executions.completedAt}) / 60)::int`;

/** Drivers differ on how numeric results arrive (number or string); nulls stay null. */
function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/**
 * One query: `GROUPING SETS` gives a row per minute and the grand total (its minute is null),
 * each with `percentile_cont` over the durations (it skips nulls). Counted by completion time.
 */
export async function executionActivity(db: Db, filter: ActivityFilter): Promise<ExecutionActivity> {
  const where: SQL[] = [isNotNull(executions.completedAt), gte(executions.completedAt, filter.since)];
  if (filter.project !== undefined) where.push(eq(executions.project, filter.project));
  const rows = await db
    .select({
      minute: completedMinute,
      count: sql<number>`count(*)::int`,
      failed: sql<number>`(count(*) FILTER (WHERE ${executionFailedSql}))::int`,
      p50: sql<number | null>`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${executions.durationMs})`,
      p99: sql<number | null>`percentile_cont(0.99) WITHIN GROUP (ORDER BY ${executions.durationMs})`,
    })
    .from(executions)
    .where(and(...where))
    .groupBy(sql`GROUPING SETS ((${completedMinute}), ())`);
  const statsOf = (row: (typeof rows)[number]): ExecutionStats => ({
    count: Number(row.count),
    failed: Number(row.failed),
    p50Ms: numberOrNull(row.p50),
    p99Ms: numberOrNull(row.p99),
  });
  const minutes: ExecutionMinute[] = rows
    .filter((row) => row.minute !== null)
    .map((row) => ({ minute: new Date(Number(row.minute) * MINUTE_MS), ...statsOf(row) }))
    .sort((a, b) => a.minute.getTime() - b.minute.getTime());
  const total = rows.find((row) => row.minute === null);
  return {
    minutes,
    total: total ? statsOf(total) : { count: 0, failed: 0, p50Ms: null, p99Ms: null },
  };
}

/** The newest `limit` failed tasks and the newest `limit` failed executions, merged. */
export async function listRecentFailures(db: Db, filter: FailureFilter): Promise<RecentFailure[]> {
  const taskAt = sql<Date>`coalesce(${tasks.completedAt}, ${tasks.updatedAt})`.mapWith(tasks.updatedAt);
  const taskWhere: SQL[] = [
    eq(tasks.status, 'failed'),
    // A failed command's execution is the failure to show; its task would repeat it.
    ne(tasks.type, 'vm:execute'),
    // A plain expression binds no column encoder: the time goes as text, typed here.
    sql`${taskAt} >= ${filter.since.toISOString()}::timestamptz`,
  ];
  const executionWhere: SQL[] = [
    isNotNull(executions.completedAt),
    gte(executions.completedAt, filter.since),
    executionFailedSql,
  ];
  if (filter.project !== undefined) {
    taskWhere.push(eq(tasks.project, filter.project));
    executionWhere.push(eq(executions.project, filter.project));
  }
  const [failedTasks, failedExecutions] = await Promise.all([
    db
      .select({ id: tasks.id, vmId: tasks.vmId, type: tasks.type, error: tasks.error, at: taskAt })
      .from(tasks)
      .where(and(...taskWhere))
      .orderBy(desc(taskAt), desc(tasks.id))
      .limit(filter.limit),
    db
      .select({
        id: executions.id,
        vmId: executions.vmId,
        error: executions.error,
        exitCode: executions.exitCode,
        timedOut: executions.timedOut,
        signal: executions.signal,
        at: executions.completedAt,
      })
      .from(executions)
      .where(and(...executionWhere))
      .orderBy(desc(executions.completedAt), desc(executions.id))
      .limit(filter.limit),
  ]);
  const failures: RecentFailure[] = [
    ...failedTasks.map(
      (row): RecentFailure => ({
        kind: 'task',
        id: row.id,
        vmId: row.vmId,
        type: row.type,
        error: row.error ?? null,
        exitCode: null,
        timedOut: false,
        signal: null,
        at: row.at,
      }),
    ),
    ...failedExecutions.map(
      (row): RecentFailure => ({
        kind: 'execution',
        id: row.id,
        vmId: row.vmId,
        type: 'execute',
        error: row.error ?? null,
        exitCode: row.exitCode,
        timedOut: row.timedOut,
        signal: row.signal,
        // Filtered on: never null here.
        at: row.at ?? filter.since,
      }),
    ),
  ];
  return failures.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, filter.limit);
}
