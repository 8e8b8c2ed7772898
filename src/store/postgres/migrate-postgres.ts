import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { MIGRATIONS_FOLDER } from '../migrations-folder.js';
import { guard } from '../store-errors.js';

/** Any constant works; it only has to be the same in every process that migrates this database. */
const MIGRATION_LOCK_KEY = 7_264_110_315;

/**
 * Several gateways and workers may start at once and each run `migrate`; Drizzle's migrator
 * takes no lock, so a session-level advisory lock makes them apply the migrations one at a time
 * (the later ones then find nothing left to do).
 */
export async function migratePostgres(
  target: { pool: pg.Pool } | { connectionString: string },
): Promise<void> {
  const pool =
    'pool' in target ? target.pool : new pg.Pool({ connectionString: target.connectionString, max: 1 });
  // A pool we create is ours to end; its idle-client errors must not crash the process either.
  if (!('pool' in target)) pool.on('error', () => {});
  try {
    await guard(async () => {
      const client = await pool.connect();
      let failed = false;
      try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        // On failure the connection is destroyed rather than reused: that also drops the lock.
        client.release(failed);
      }
    });
  } finally {
    if (!('pool' in target)) await pool.end();
  }
}
