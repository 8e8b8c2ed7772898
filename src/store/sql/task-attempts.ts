/**
 * The two writes of a task attempt on the hot path, each one statement: the claim (with the VM
 * read and the execution's start) and the completion (with the execution's outcome). Data-
 * modifying CTEs run exactly once whether or not the outer query reads them, and all see the
 * same snapshot, so each is as atomic as a transaction at the cost of one round trip.
 * Both are prepared once per database (prepared.ts).
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
import { preparedFor, value } from './prepared.js';

const p = sql.placeholder;

function prepareClaim(db: Db) {
  const claimed = db.$with('claimed_task').as(
    db
      .update(tasks)
      .set({
        status: 'processing',
        statusReason: value<string>('reason'),
        workerId: value<string>('workerId'),
        startedAt: value<Date>('startedAt'),
        fencingToken: sql`${tasks.fencingToken} + 1`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(tasks.id, p('id')), eq(tasks.status, 'pending')))
      .returning(),
  );
  // The command of a `vm:execute` task starts with its attempt; a job's executions are not
  // recorded yet (the job inserts each as it runs it).
  const started = db.$with('started_executions').as(
    db
      .update(executions)
      .set({ startedAt: value<Date>('startedAt') })
      .where(
        and(
          sql`${executions.taskId} IN (SELECT ${claimed.id} FROM ${claimed})`,
          isNull(executions.jobId),
          isNull(executions.completedAt),
        ),
      )
      .returning({ id: executions.id }),
  );
  return db
    .with(claimed, started)
    .select({ task: claimed._.selectedFields, vm: vms })
    .from(claimed)
    .leftJoin(vms, eq(vms.id, claimed.vmId))
    .prepare('aether_claim_task');
}

/** Placeholder names of the outcome columns, as `outcomeColumns` names them. */
const OUTCOME_KEYS = Object.keys(
  outcomeColumns({
    exitCode: 0,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    timedOut: false,
    signal: null,
    error: null,
    startedAt: new Date(0),
    completedAt: new Date(0),
    durationMs: 0,
  }),
) as (keyof ReturnType<typeof outcomeColumns>)[];

function prepareCompletion(db: Db) {
  const heldByThisAttempt = and(
    eq(tasks.id, p('taskId')),
    eq(tasks.status, 'processing'),
    eq(tasks.fencingToken, p('fencingToken')),
  );
  const outcome = Object.fromEntries(OUTCOME_KEYS.map((key) => [key, p(`outcome_${key}`)]));
  const recorded = db.$with('recorded_execution').as(
    db
      .update(executions)
      .set(outcome)
      .where(
        and(
          eq(executions.id, p('executionId')),
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
        statusReason: value<string>('reason'),
        result: value<unknown>('result'),
        error: null,
        completedAt: value<Date>('completedAt'),
        updatedAt: sql`now()`,
      })
      .where(and(heldByThisAttempt, sql`EXISTS (SELECT 1 FROM ${recorded})`))
      .returning(),
  );
  return db
    .with(recorded, completed)
    .select({ task: completed._.selectedFields, execution: recorded._.selectedFields })
    .from(completed)
    .crossJoin(recorded)
    .prepare('aether_complete_task_with_execution');
}

export async function claimTask(db: Db, id: string, claim: TaskClaim): Promise<ClaimedTask | null> {
  if (!isUuid(id)) return null;
  const [row] = await preparedFor(db, 'claim', prepareClaim).execute({
    id,
    reason: claim.reason,
    workerId: claim.workerId,
    startedAt: claim.startedAt,
  });
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
  const columns = outcomeColumns(outcome);
  const [row] = await preparedFor(db, 'completion', prepareCompletion).execute({
    taskId,
    executionId,
    fencingToken: completion.fencingToken,
    reason: completion.reason,
    result: completion.result,
    completedAt: completion.completedAt,
    ...Object.fromEntries(OUTCOME_KEYS.map((key) => [`outcome_${key}`, columns[key]])),
  });
  if (!row) return null;
  return { task: toTaskRecord(row.task as never), execution: toExecutionRecord(row.execution as never) };
}
