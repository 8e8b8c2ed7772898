import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import { type ExecutionRecord, UNKNOWN_OUTCOME } from '../../core/execution.js';
import { isUuid } from '../../core/ids.js';
import type { ExecutionFilter } from '../../core/store.js';
import { toExecutionRecord } from '../records.js';
import { executions } from '../schema.js';
import type { Db } from './db.js';

/**
 * `executionState` (core/execution.ts) as one SQL expression, branch for branch in the same
 * order, so a filter on outcomes runs in the database; the store suite checks the two agree.
 */
export const executionOutcomeSql: SQL<string> = sql<string>`CASE
  WHEN ${executions.completedAt} IS NULL THEN
    CASE WHEN ${executions.startedAt} IS NULL THEN 'pending' ELSE 'running' END
  WHEN ${executions.timedOut} THEN 'timed_out'
  WHEN ${executions.exitCode} IS NOT NULL THEN 'exited'
  WHEN ${executions.signal} IS NOT NULL THEN 'signalled'
  WHEN ${executions.error}->>'code' IN (${sql.join(
    [...UNKNOWN_OUTCOME].map((code) => sql`${code}`),
    sql`, `,
  )}) THEN 'unknown'
  WHEN ${executions.error}->>'code' = 'ERR_TASK_NOT_STARTED' THEN 'not_started'
  WHEN ${executions.error}->>'code' = 'ERR_TASK_CANCELLED' THEN 'cancelled'
  ELSE 'failed'
END`;

/** A completed execution that did not exit with code 0 (see ExecutionStats). */
export const executionFailedSql: SQL<boolean> = sql<boolean>`(${executions.timedOut} OR ${executions.exitCode} IS DISTINCT FROM 0)`;

/** Newest first, across VMs. */
export async function queryExecutions(db: Db, filter: ExecutionFilter = {}): Promise<ExecutionRecord[]> {
  const where: SQL[] = [];
  if (filter.project !== undefined) where.push(eq(executions.project, filter.project));
  if (filter.vmId !== undefined) {
    if (!isUuid(filter.vmId)) return [];
    where.push(eq(executions.vmId, filter.vmId));
  }
  if (filter.outcomes !== undefined) {
    if (filter.outcomes.length === 0) return [];
    where.push(
      sql`${executionOutcomeSql} IN (${sql.join(
        filter.outcomes.map((outcome) => sql`${outcome}`),
        sql`, `,
      )})`,
    );
  }
  const query = db
    .select()
    .from(executions)
    .where(and(...where))
    .orderBy(desc(executions.createdAt), desc(executions.id));
  const rows = filter.limit === undefined ? await query : await query.limit(filter.limit);
  return rows.map(toExecutionRecord);
}
