import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { isUuid } from '../../core/ids.js';
import type { NewExecution, NewTask, TaskFilter, TaskPatch, TaskTransition } from '../../core/store.js';
import type { TaskProgress, TaskRecord } from '../../core/task.js';
import { toTaskRecord } from '../records.js';
import { executions, tasks } from '../schema.js';
import type { Db } from './db.js';
import { executionValues } from './executions.js';
import { preparedFor, value } from './prepared.js';

/** Only the keys the caller set: `undefined` leaves a column alone, `null` clears it. */
function patchColumns(patch: TaskPatch): PgUpdateSetSource<typeof tasks> {
  const set: PgUpdateSetSource<typeof tasks> = {};
  if (patch.result !== undefined) set.result = patch.result;
  if (patch.error !== undefined) set.error = patch.error;
  if (patch.workerId !== undefined) set.workerId = patch.workerId;
  if (patch.retryCount !== undefined) set.retryCount = patch.retryCount;
  if (patch.startedAt !== undefined) set.startedAt = patch.startedAt;
  if (patch.completedAt !== undefined) set.completedAt = patch.completedAt;
  if (patch.newAttempt) set.fencingToken = sql`${tasks.fencingToken} + 1`;
  return set;
}

/**
 * Task and execution land together or not at all: an execution id handed out always exists.
 * One statement either way: with an execution, the two INSERTs are data-modifying CTEs of one
 * query (atomic, one round trip, instead of BEGIN, INSERT, INSERT, COMMIT).
 */
const TASK_COLUMNS = [
  'id',
  'project',
  'type',
  'priority',
  'payload',
  'vmId',
  'maxRetries',
  'timeoutMs',
] as const;
const EXECUTION_COLUMNS = Object.keys(
  executionValues({
    id: '',
    project: '',
    vmId: '',
    taskId: null,
    jobId: null,
    command: '',
    args: [],
    env: {},
    cwd: null,
  }),
) as (keyof ReturnType<typeof executionValues>)[];

const placeholders = <K extends string>(keys: readonly K[], prefix: string) =>
  Object.fromEntries(keys.map((key) => [key, value(`${prefix}${key}`)])) as Record<K, never>;

/** The INSERTs of a task and its execution as data-modifying CTEs of one query. */
function prepareInsertWithExecution(db: Db) {
  const insertedTask = db
    .$with('inserted_task')
    .as(db.insert(tasks).values(placeholders(TASK_COLUMNS, 'task_')).returning());
  const insertedExecution = db
    .$with('inserted_execution')
    .as(
      db
        .insert(executions)
        .values(placeholders(EXECUTION_COLUMNS, 'execution_'))
        .returning({ id: executions.id }),
    );
  return db
    .with(insertedTask, insertedExecution)
    .select()
    .from(insertedTask)
    .prepare('aether_insert_task_with_execution');
}

/**
 * Task and execution land together or not at all: an execution id handed out always exists.
 * One statement either way: with an execution, the two INSERTs are data-modifying CTEs of one
 * query (atomic, one round trip, instead of BEGIN, INSERT, INSERT, COMMIT).
 */
export async function insertTask(db: Db, task: NewTask, execution?: NewExecution): Promise<TaskRecord> {
  const taskValues = {
    id: task.id,
    project: task.project,
    type: task.type,
    priority: task.priority,
    payload: task.payload as Record<string, unknown>,
    vmId: task.vmId,
    maxRetries: task.maxRetries,
    timeoutMs: task.timeoutMs,
  } satisfies Record<(typeof TASK_COLUMNS)[number], unknown>;
  if (!execution) {
    const [row] = await db.insert(tasks).values(taskValues).returning();
    return toTaskRecord(row!);
  }
  const executionRow = executionValues(execution);
  const [row] = await preparedFor(db, 'insertTaskWithExecution', prepareInsertWithExecution).execute({
    ...Object.fromEntries(TASK_COLUMNS.map((key) => [`task_${key}`, taskValues[key]])),
    ...Object.fromEntries(EXECUTION_COLUMNS.map((key) => [`execution_${key}`, executionRow[key]])),
  });
  return toTaskRecord(row!);
}

export async function getTask(db: Db, id: string): Promise<TaskRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(tasks).where(eq(tasks.id, id));
  return row ? toTaskRecord(row) : null;
}

/** Newest first. */
export async function listTasks(db: Db, filter: TaskFilter = {}): Promise<TaskRecord[]> {
  if (filter.vmId !== undefined && !isUuid(filter.vmId)) return [];
  const where: SQL[] = [];
  if (filter.project !== undefined) where.push(eq(tasks.project, filter.project));
  if (filter.status !== undefined) where.push(inArray(tasks.status, [...filter.status]));
  if (filter.types !== undefined) where.push(inArray(tasks.type, [...filter.types]));
  if (filter.vmId !== undefined) where.push(eq(tasks.vmId, filter.vmId));
  if (filter.workerId !== undefined) where.push(eq(tasks.workerId, filter.workerId));
  const query = db
    .select()
    .from(tasks)
    .where(and(...where))
    .orderBy(desc(tasks.createdAt), desc(tasks.id));
  const rows = filter.limit === undefined ? await query : await query.limit(filter.limit);
  return rows.map(toTaskRecord);
}

/**
 * Compare-and-set in one statement: the UPDATE applies only while the status is one of
 * `from`. The state-change log is written by a trigger in the same statement (migration 0001),
 * so row and log never disagree and a transition costs one round trip. A fenced transition also
 * needs the caller's fencing token to be the current one; a claim (`newAttempt`) bumps it.
 */
export async function transitionTask(
  db: Db,
  id: string,
  change: TaskTransition,
  patch: TaskPatch = {},
): Promise<TaskRecord | null> {
  if (!isUuid(id) || change.from.length === 0) return null;
  const where = [eq(tasks.id, id), inArray(tasks.status, [...change.from])];
  if (change.fencingToken !== undefined) where.push(eq(tasks.fencingToken, change.fencingToken));
  const [row] = await db
    .update(tasks)
    .set({ ...patchColumns(patch), status: change.to, statusReason: change.reason, updatedAt: sql`now()` })
    .where(and(...where))
    .returning();
  return row ? toTaskRecord(row) : null;
}

/** Progress of the attempt holding `fencingToken`, while it runs; a stale attempt writes nothing. */
export async function setTaskProgress(
  db: Db,
  id: string,
  fencingToken: number,
  progress: TaskProgress,
): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await db
    .update(tasks)
    .set({ progress, updatedAt: sql`now()` })
    .where(and(eq(tasks.id, id), eq(tasks.status, 'processing'), eq(tasks.fencingToken, fencingToken)))
    .returning({ id: tasks.id });
  return rows.length === 1;
}
