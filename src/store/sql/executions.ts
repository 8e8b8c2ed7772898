import { and, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { AetherError } from '../../core/errors.js';
import type { ExecutionRecord } from '../../core/execution.js';
import { isUuid } from '../../core/ids.js';
import type { AttemptFence, ExecutionOutcome, NewExecution } from '../../core/store.js';
import { toExecutionRecord } from '../records.js';
import { executions, tasks } from '../schema.js';
import type { Db } from './db.js';

/**
 * PostgreSQL text cannot hold U+0000 (error 22021), and untrusted programs print anything; the
 * replacement character keeps the output storable and shows where the NUL was.
 */
function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** The columns a new execution row is written with. */
export function executionValues(execution: NewExecution): typeof executions.$inferInsert {
  return {
    id: execution.id,
    project: execution.project,
    vmId: execution.vmId,
    taskId: execution.taskId,
    jobId: execution.jobId,
    command: execution.command,
    args: execution.args,
    env: execution.env,
    cwd: execution.cwd,
  };
}

export async function insertExecution(db: Db, execution: NewExecution): Promise<ExecutionRecord> {
  const [row] = await db.insert(executions).values(executionValues(execution)).returning();
  return toExecutionRecord(row!);
}

export async function getExecution(db: Db, id: string): Promise<ExecutionRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(executions).where(eq(executions.id, id));
  return row ? toExecutionRecord(row) : null;
}

/** Newest first (served by the `(vm_id, created_at DESC)` index). */
export async function listExecutions(
  db: Db,
  vmId: string,
  options: { limit?: number } = {},
): Promise<ExecutionRecord[]> {
  if (!isUuid(vmId)) return [];
  const query = db
    .select()
    .from(executions)
    .where(eq(executions.vmId, vmId))
    .orderBy(desc(executions.createdAt), desc(executions.id));
  const rows = options.limit === undefined ? await query : await query.limit(options.limit);
  return rows.map(toExecutionRecord);
}

/** Throws ERR_EXECUTION_NOT_FOUND: the caller holds an id the store handed out, so a miss is a bug. */
export async function markExecutionStarted(db: Db, id: string, startedAt: Date): Promise<void> {
  const updated = isUuid(id)
    ? await db
        .update(executions)
        .set({ startedAt })
        .where(eq(executions.id, id))
        .returning({ id: executions.id })
    : [];
  if (updated.length === 0) throw new AetherError('ERR_EXECUTION_NOT_FOUND', `execution ${id} not found`);
}

/** The columns an execution's outcome is written to. */
export function outcomeColumns(outcome: ExecutionOutcome): Partial<typeof executions.$inferInsert> {
  return {
    exitCode: outcome.exitCode,
    stdout: withoutNul(outcome.stdout),
    stderr: withoutNul(outcome.stderr),
    stdoutTruncated: outcome.stdoutTruncated,
    stderrTruncated: outcome.stderrTruncated,
    timedOut: outcome.timedOut,
    signal: outcome.signal,
    error: outcome.error,
    startedAt: outcome.startedAt,
    completedAt: outcome.completedAt,
    // Whole milliseconds: the column is an integer and drivers may report fractions.
    durationMs: Math.round(outcome.durationMs),
  };
}

/**
 * Once only, and (fenced) only while the attempt that ran it still holds its task: a stalled
 * worker's late report cannot overwrite the record, nor complete an execution twice.
 */
export async function completeExecution(
  db: Db,
  id: string,
  outcome: ExecutionOutcome,
  fence?: AttemptFence,
): Promise<ExecutionRecord | null> {
  if (!isUuid(id)) return null;
  const where: SQL[] = [eq(executions.id, id), isNull(executions.completedAt)];
  if (fence) {
    where.push(
      sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${tasks.id} = ${fence.taskId} AND ${tasks.fencingToken} = ${fence.fencingToken} AND ${inArray(tasks.status, [...(fence.taskStatuses ?? ['processing'])])})`,
    );
  }
  const [row] = await db
    .update(executions)
    .set(outcomeColumns(outcome))
    .where(and(...where))
    .returning();
  return row ? toExecutionRecord(row) : null;
}
