/**
 * The two writes of a task attempt on the hot path, each one statement: the claim (with the VM
 * read and the execution's start) and the completion (with the execution's outcome). Data-
 * modifying CTEs run exactly once whether or not the outer query reads them, and all see the
 * same snapshot, so each is as atomic as a transaction at the cost of one round trip.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { ExecutionRecord } from '../../core/execution.js';
import { isUuid } from '../../core/ids.js';
import type { ClaimedTask, ExecutionOutcome, TaskClaim, TaskCompletion } from '../../core/store.js';
import type { TaskRecord } from '../../core/task.js';
import { toExecutionRecord, toTaskRecord, toVmRecord } from '../records.js';
import { executions, tasks, vms } from '../schema.js';
import type { Db } from './db.js';
import { outcomeColumns } from './executions.js';

export async function claimTask(db: Db, id: string, claim: TaskClaim): Promise<ClaimedTask | null> {
  if (!isUuid(id)) return null;
  const claimed = db.$with('claimed_task').as(
    db
      .update(tasks)
      .set({
        status: 'processing',
        statusReason: claim.reason,
        workerId: claim.workerId,
        startedAt: claim.startedAt,
        fencingToken: sql`${tasks.fencingToken} + 1`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(tasks.id, id), eq(tasks.status, 'pending')))
      .returning(),
  );
  // The command of a `vm:execute` task starts with its attempt; a job's executions are not
  // recorded yet (the job inserts each as it runs it).
  const started = db.$with('started_executions').as(
    db
      .update(executions)
      .set({ startedAt: claim.startedAt })
      .where(
        and(
          sql`${executions.taskId} IN (SELECT ${claimed.id} FROM ${claimed})`,
          isNull(executions.jobId),
          isNull(executions.completedAt),
        ),
      )
      .returning({ id: executions.id }),
  );
  const [row] = await db
    .with(claimed, started)
    .select({ task: claimed._.selectedFields, vm: vms })
    .from(claimed)
    .leftJoin(vms, eq(vms.id, claimed.vmId));
  if (!row) return null;
  return { task: toTaskRecord(row.task as never), vm: row.vm ? toVmRecord(row.vm) : null };
}

export async function completeTaskWithExecution(
  db: Db,
  taskId: string,
  completion: TaskCompletion,
  executionId: string,
  outcome: ExecutionOutcome,
): Promise<{ task: TaskRecord; execution: ExecutionRecord } | null> {
  if (!isUuid(taskId) || !isUuid(executionId)) return null;
  const heldByThisAttempt = and(
    eq(tasks.id, taskId),
    eq(tasks.status, 'processing'),
    eq(tasks.fencingToken, completion.fencingToken),
  );
  const recorded = db.$with('recorded_execution').as(
    db
      .update(executions)
      .set(outcomeColumns(outcome))
      .where(
        and(
          eq(executions.id, executionId),
          isNull(executions.completedAt),
          sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${heldByThisAttempt})`,
        ),
      )
      .returning(),
  );
  const completed = db.$with('completed_task').as(
    db
      .update(tasks)
      .set({
        status: 'completed',
        statusReason: completion.reason,
        result: completion.result,
        error: null,
        completedAt: completion.completedAt,
        updatedAt: sql`now()`,
      })
      .where(and(heldByThisAttempt, sql`EXISTS (SELECT 1 FROM ${recorded})`))
      .returning(),
  );
  const [row] = await db
    .with(recorded, completed)
    .select({ task: completed._.selectedFields, execution: recorded._.selectedFields })
    .from(completed)
    .crossJoin(recorded);
  if (!row) return null;
  return { task: toTaskRecord(row.task as never), execution: toExecutionRecord(row.execution as never) };
}
