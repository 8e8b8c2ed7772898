/**
 * BullMQ's PostgreSQL schema on a database we share with the store.
 *
 * BullMQ keeps its tables and functions in the `bullmq` schema and runs its command files with
 * unqualified names, so the session's `search_path` must reach `bullmq`. The store keeps its own
 * tables in `public`; `public` goes first so the store's unqualified names (and its CREATEs) stay
 * in `public`, and BullMQ's names are found in `bullmq` after it. BullMQ's PL/pgSQL functions pin
 * their own search_path (`SET search_path FROM CURRENT`), so only the top-level command files can
 * be shadowed — `assertNoShadowing` checks that nothing in `public` does.
 */
import { DEFAULT_SCHEMA, type PgQueryable, type PgQueryResult, runMigrations } from 'bullmq';
import { AetherError } from '../../core/errors.js';
import type { EmbeddedDatabase } from '../../pglite/embedded-database.js';
import type { PgliteQuery } from './pglite-pool.js';

/** The schema BullMQ lives in; BullMQ reads it as `DEFAULT_SCHEMA` for any pool it did not build. */
export const BULLMQ_SCHEMA = DEFAULT_SCHEMA;

/** `search_path` for sessions shared with the store: the store's tables first, then BullMQ's. */
export const SHARED_SEARCH_PATH = `public, ${BULLMQ_SCHEMA}`;

/** Runs BullMQ's migrations on a dedicated pg session (BullMQ opens its own transaction). */
export async function migrateOnSession(session: PgQueryable): Promise<number> {
  return runMigrations(session, BULLMQ_SCHEMA);
}

/**
 * Runs BullMQ's migrations on a shared PGlite session. The migrations open a transaction and
 * `SET LOCAL search_path`; run bare on the shared session, the store's queries could land inside
 * that transaction. `db.transaction` holds PGlite's transaction lock instead, so everyone else
 * waits, and BullMQ's own BEGIN/COMMIT/ROLLBACK become no-ops inside it.
 */
export async function migratePglite(db: EmbeddedDatabase, run: PgliteQuery): Promise<number> {
  return db.transaction(async (tx) => {
    const session: PgQueryable = {
      query<R>(text: string, params?: readonly unknown[]): Promise<PgQueryResult<R>> {
        const statement = text.trim().toUpperCase();
        if (statement === 'BEGIN' || statement === 'COMMIT' || statement === 'ROLLBACK') {
          return Promise.resolve({ rows: [] });
        }
        return run<R>(tx, text, params);
      },
    };
    return runMigrations(session, BULLMQ_SCHEMA);
  });
}

/** Names in `public` that would shadow BullMQ's relations, types or functions for its command files. */
export async function findShadowingNames(session: PgQueryable): Promise<string[]> {
  const { rows } = await session.query<{ name: string }>(
    `SELECT b.name FROM (
       SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'S', 'p')
       UNION SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = $1 AND t.typtype IN ('e', 'c', 'd')
       UNION SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = $1
     ) b
     WHERE EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relname = b.name)
        OR EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                    WHERE n.nspname = 'public' AND t.typname = b.name)
        OR EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = 'public' AND p.proname = b.name)
     ORDER BY 1`,
    [BULLMQ_SCHEMA],
  );
  return rows.map((row) => row.name);
}

/** Fails loudly when the store (or anyone) defined a `public` name BullMQ's SQL would pick up. */
export async function assertNoShadowing(session: PgQueryable): Promise<void> {
  const names = await findShadowingNames(session);
  if (names.length > 0) {
    throw new AetherError('ERR_CONFIG', `names in schema public shadow BullMQ's: ${names.join(', ')}`, {
      details: { names },
    });
  }
}
