import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import { isUuid } from '../../core/ids.js';
import type { OutputChunk } from '../../core/output.js';
import type { AttemptFence } from '../../core/store.js';
import { executionOutputChunks, executions, tasks } from '../schema.js';
import type { Db } from './db.js';

const DEFAULT_LIMIT = 1000;

/** True while the execution may still take output: not complete and, fenced, still held by that attempt. */
function writable(id: string, fence: AttemptFence | undefined): SQL {
  const held = fence
    ? sql` AND EXISTS (SELECT 1 FROM ${tasks} WHERE ${tasks.id} = ${fence.taskId} AND ${tasks.fencingToken} = ${fence.fencingToken} AND ${tasks.status} = 'processing')`
    : sql``;
  return sql`EXISTS (SELECT 1 FROM ${executions} WHERE ${executions.id} = ${id} AND ${executions.completedAt} IS NULL${held})`;
}

/**
 * One INSERT … SELECT for the whole batch, guarded by `writable` in the same statement, so a late
 * write cannot slip in after the execution completed. A batch from seq 1 first clears what an
 * earlier attempt left, in the same transaction, so readers never see the two mixed.
 */
export async function appendExecutionOutput(
  db: Db,
  id: string,
  chunks: readonly OutputChunk[],
  fence?: AttemptFence,
): Promise<boolean> {
  if (!isUuid(id) || chunks.length === 0) return false;
  const rows = sql.join(
    chunks.map(
      (c) =>
        sql`(${c.seq}::integer, ${c.stream}::text, ${c.offset}::bigint, ${Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength)}::bytea)`,
    ),
    sql`, `,
  );
  // The check is read in the same statement (one snapshot) as the insert it guards, so the answer
  // tells a refused batch from one whose rows were all there already (a repeat, still a success).
  // A data-modifying WITH runs whether or not the outer query reads it.
  const insert = async (tx: Db) => {
    const [row] = rowsOf<{ ok: boolean }>(
      await tx.execute(sql`
        WITH inserted AS (
          INSERT INTO ${executionOutputChunks} (execution_id, seq, stream, "offset", data)
          SELECT ${id}::uuid, v.seq, v.stream, v."offset", v.data
          FROM (VALUES ${rows}) AS v(seq, stream, "offset", data)
          WHERE ${writable(id, fence)}
          ON CONFLICT (execution_id, seq) DO NOTHING
        )
        SELECT ${writable(id, fence)} AS ok`),
    );
    return row?.ok === true;
  };
  if (chunks[0]!.seq !== 1) return insert(db);
  return db.transaction(async (tx) => {
    const [row] = rowsOf<{ ok: boolean }>(await tx.execute(sql`SELECT ${writable(id, fence)} AS ok`));
    if (row?.ok !== true) return false;
    await tx.delete(executionOutputChunks).where(eq(executionOutputChunks.executionId, id));
    return insert(tx);
  });
}

/** pg answers `execute` with a result object, PGlite's Drizzle driver too; both carry `rows`. */
function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

export async function listExecutionOutput(
  db: Db,
  id: string,
  options: { afterSeq?: number; limit?: number } = {},
): Promise<OutputChunk[]> {
  if (!isUuid(id)) return [];
  const rows = await db
    .select({
      seq: executionOutputChunks.seq,
      stream: executionOutputChunks.stream,
      offset: executionOutputChunks.offset,
      data: executionOutputChunks.data,
    })
    .from(executionOutputChunks)
    .where(
      and(eq(executionOutputChunks.executionId, id), gt(executionOutputChunks.seq, options.afterSeq ?? 0)),
    )
    .orderBy(asc(executionOutputChunks.seq))
    .limit(options.limit ?? DEFAULT_LIMIT);
  return rows.map((row) => ({ seq: row.seq, stream: row.stream, offset: row.offset, data: row.data }));
}
