import { and, asc, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import {
  LOG_KINDS,
  LOG_LEVEL_NUMBERS,
  type LogKind,
  type LogLine,
  type LogPruneResult,
  type LogQuery,
  type LogRecord,
  type LogRetention,
  logKindOf,
  logLevelOf,
} from '../../core/logs.js';
import { logEntries } from '../schema.js';
import type { Db } from './db.js';

/** Rows per INSERT: twelve parameters a row, well under PostgreSQL's 65 535. */
const MAX_ROWS_PER_INSERT = 2000;

/** PostgreSQL text holds no NUL; a log line may (command output). */
function clean(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
}

/** jsonb refuses \u0000 in strings too: the same replacement, through a JSON round trip. */
function cleanFields(fields: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(fields);
  return json.includes('\\u0000') ? JSON.parse(json.replaceAll('\\u0000', '\\ufffd')) : fields;
}

/** One multi-row INSERT per batch (chunked past the parameter limit), never one per line. */
export async function appendLogs(db: Db, records: readonly LogRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += MAX_ROWS_PER_INSERT) {
    const rows = records.slice(i, i + MAX_ROWS_PER_INSERT).map((r) => ({
      time: r.time,
      level: LOG_LEVEL_NUMBERS[r.level],
      service: r.service,
      project: r.project,
      worker: r.worker,
      vmId: r.vmId,
      taskId: r.taskId,
      executionId: r.executionId,
      message: clean(r.message),
      fields: cleanFields(r.fields),
      kind: logKindOf(r),
    }));
    await db.insert(logEntries).values(rows);
  }
}

function conditions(query: LogQuery): SQL[] {
  const where: SQL[] = [];
  // `null` project is the platform's lines: never matched by a project filter.
  if (query.project !== undefined) where.push(eq(logEntries.project, query.project));
  if (query.vmId !== undefined) where.push(eq(logEntries.vmId, query.vmId));
  if (query.taskId !== undefined) where.push(eq(logEntries.taskId, query.taskId));
  if (query.executionId !== undefined) where.push(eq(logEntries.executionId, query.executionId));
  if (query.minLevel !== undefined) where.push(gte(logEntries.level, LOG_LEVEL_NUMBERS[query.minLevel]));
  // strpos, not LIKE: the text is a parameter, and % or _ in it mean themselves.
  if (query.text) where.push(sql`strpos(${logEntries.message}, ${query.text}) > 0`);
  if (query.start) where.push(gte(logEntries.time, query.start));
  if (query.end) where.push(lt(logEntries.time, query.end));
  return where;
}

export async function queryLogs(db: Db, query: LogQuery): Promise<LogLine[]> {
  const order = query.order === 'asc' ? asc : desc;
  const rows = await db
    .select()
    .from(logEntries)
    .where(and(...conditions(query)))
    .orderBy(order(logEntries.time), order(logEntries.id))
    .limit(query.limit);
  return rows.map((row) => ({
    id: String(row.id),
    time: row.time,
    level: logLevelOf(row.level),
    service: row.service,
    project: row.project,
    worker: row.worker,
    vmId: row.vmId,
    taskId: row.taskId,
    executionId: row.executionId,
    message: row.message,
    fields: row.fields,
  }));
}

/**
 * Deletes lines past the age bound, then, for each kind, every line older than the newest
 * `maxRows` of that kind: each kind is cut on its own, so a flood of one never evicts the other.
 */
export async function pruneLogs(db: Db, retention: LogRetention): Promise<LogPruneResult> {
  const expired = await db.delete(logEntries).where(lt(logEntries.time, retention.olderThan));
  const overCap: Record<LogKind, number> = { platform: 0, output: 0 };
  for (const kind of LOG_KINDS) {
    // Ids grow with insertion: the row `maxRows` from the newest of this kind is the cut.
    const over = await db.execute(sql`
      DELETE FROM ${logEntries} WHERE ${logEntries.kind} = ${kind} AND ${logEntries.id} <= (
        SELECT ${logEntries.id} FROM ${logEntries} WHERE ${logEntries.kind} = ${kind}
        ORDER BY ${logEntries.id} DESC OFFSET ${retention.maxRows[kind]} LIMIT 1
      )`);
    overCap[kind] = affected(over);
  }
  return { expired: affected(expired), overCap };
}

function affected(result: unknown): number {
  const r = result as { rowCount?: number | null; affectedRows?: number };
  return r.rowCount ?? r.affectedRows ?? 0;
}
