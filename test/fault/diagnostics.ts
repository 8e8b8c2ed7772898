/**
 * Evidence for whoever fixes a failing fault run, written to the history as `note` events (the
 * checker ignores them): which code ran, and, for tasks still open after the drain, what the
 * store holds for them and where BullMQ has their jobs. The BullMQ part reads its Redis keys
 * directly (`<prefix>:<queue>:<jobId>` hashes, wait/active lists, prioritized/delayed/failed/
 * completed sorted sets): a diagnostic that may need updating with BullMQ, never a verdict.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { HistoryWriter } from './history.js';

const PREFIX = 'aether';

/** HEAD, and a digest of the uncommitted changes: the code a run exercised. */
export function codeVersion(root: string): Record<string, unknown> {
  const git = (args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout ?? '';
  const diff = git(['diff', 'HEAD']);
  const untracked = git(['ls-files', '--others', '--exclude-standard', 'src']).split('\n').filter(Boolean);
  return {
    head: git(['rev-parse', 'HEAD']).trim(),
    dirtyFiles: git(['diff', '--name-only', 'HEAD']).split('\n').filter(Boolean).length,
    diffSha256: createHash('sha256').update(diff).digest('hex').slice(0, 16),
    untrackedSrc: untracked,
  };
}

/** Rows of the store for `ids` (every column but payload and result, whatever the schema is today). */
async function storeRows(db: pg.Pool, ids: string[]): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query<{ row: Record<string, unknown> }>(
    `SELECT to_jsonb(tasks) - 'payload' - 'result' AS row FROM tasks WHERE id = ANY($1::uuid[]) ORDER BY created_at`,
    [ids],
  );
  return rows.map((r) => r.row);
}

async function workerRows(db: pg.Pool): Promise<unknown[]> {
  const exists = await db.query(`SELECT to_regclass('public.workers') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return [];
  const { rows } = await db.query('SELECT * FROM workers ORDER BY id');
  return rows;
}

/** Where BullMQ holds the job of each task id, per queue. */
async function queueStates(redisUrl: string, ids: string[]): Promise<Record<string, string[]>> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const queues: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*:meta`, 'COUNT', 1000);
      for (const key of keys) queues.push(key.slice(PREFIX.length + 1, -':meta'.length));
      cursor = next;
    } while (cursor !== '0');
    const states: Record<string, string[]> = {};
    for (const id of ids) {
      const found: string[] = [];
      for (const q of queues) {
        const k = (suffix: string) => `${PREFIX}:${q}:${suffix}`;
        const [hash, wait, active, paused, prioritized, delayed, failed, completed, lock] = await Promise.all(
          [
            redis.hgetall(k(id)),
            redis.lpos(k('wait'), id),
            redis.lpos(k('active'), id),
            redis.lpos(k('paused'), id),
            redis.zscore(k('prioritized'), id),
            redis.zscore(k('delayed'), id),
            redis.zscore(k('failed'), id),
            redis.zscore(k('completed'), id),
            redis.exists(k(`${id}:lock`)),
          ],
        );
        const where = [
          wait !== null && 'wait',
          active !== null && 'active',
          paused !== null && 'paused',
          prioritized !== null && 'prioritized',
          delayed !== null && 'delayed',
          failed !== null && 'failed',
          completed !== null && 'completed',
          lock === 1 && 'locked',
        ].filter(Boolean);
        const hasHash = Object.keys(hash).length > 0;
        if (!hasHash && where.length === 0) continue;
        const fields = hasHash
          ? ` attemptsMade=${hash.attemptsMade ?? 0} stalled=${hash.stc ?? 0}${hash.failedReason ? ` failedReason=${hash.failedReason.slice(0, 120)}` : ''}`
          : ' (no job hash)';
        found.push(`${q}: ${where.join('+') || 'in no list'}${fields}`);
      }
      states[id] = found.length > 0 ? found : ['no job in any queue'];
    }
    return states;
  } finally {
    redis.disconnect();
  }
}

/** Writes what the store and the queue hold for tasks still open after the drain. */
export async function recordOpenTaskEvidence(
  history: HistoryWriter,
  db: pg.Pool,
  redisUrl: string,
  openIds: string[],
): Promise<void> {
  try {
    history.append({
      type: 'note',
      message: 'workers table at the end',
      detail: { rows: await workerRows(db) },
    });
  } catch (error) {
    history.append({ type: 'note', message: `could not read workers: ${(error as Error).message}` });
  }
  if (openIds.length === 0) return;
  let rows: Record<string, unknown>[] = [];
  try {
    rows = await storeRows(db, openIds);
  } catch (error) {
    history.append({ type: 'note', message: `could not read open tasks: ${(error as Error).message}` });
  }
  let jobs: Record<string, string[]> = {};
  try {
    jobs = await queueStates(redisUrl, openIds);
  } catch (error) {
    history.append({ type: 'note', message: `could not read queue state: ${(error as Error).message}` });
  }
  for (const id of openIds) {
    const row = rows.find((r) => r.id === id) ?? null;
    history.append({
      type: 'note',
      message: `open task ${id}`,
      detail: { store: row, queue: jobs[id] ?? null },
    });
  }
}
