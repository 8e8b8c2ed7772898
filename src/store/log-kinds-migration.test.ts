/**
 * `0012_log_kinds` on a database that already holds log lines, on PGlite and PostgreSQL: the
 * command output stored before it becomes kind `output`, everything else `platform`.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePgTo } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePgliteTo } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../test/support/backends.js';
import { throwawayDatabase } from '../../test/support/throwaway-database.js';
import { openPglite } from '../pglite/open-pglite.js';
import { migrate } from './migrate.js';
import { MIGRATIONS_FOLDER } from './migrations-folder.js';

const postgres = await postgresAvailable();
const MIGRATION = '0012_log_kinds';

/** A copy of the migrations as they were before MIGRATION: the state of a deployed database. */
function migrationsBefore(tag: string): { folder: string; remove(): void } {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'aether-migrations-'));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === tag);
  if (at < 0) throw new Error(`no migration ${tag} in the journal`);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

const OLD_LINES = `INSERT INTO log_entries (time, level, service, message, fields) VALUES
  (now(), 40, 'up', 'a platform warning', '{}'),
  (now(), 30, 'worker', 'a line of output', '{"stream": "stdout", "source": "output"}')`;
const KINDS = 'SELECT message, kind FROM log_entries ORDER BY id';
const EXPECTED = [
  { message: 'a platform warning', kind: 'platform' },
  { message: 'a line of output', kind: 'output' },
];

describe(`migration ${MIGRATION} on a database with log lines`, () => {
  const before = migrationsBefore(MIGRATION);
  afterAll(() => before.remove());

  it('sorts the stored lines into kinds on PGlite', async () => {
    const db = await openPglite('memory');
    try {
      await migratePgliteTo(drizzlePglite({ client: db }), { migrationsFolder: before.folder });
      await db.exec(OLD_LINES);
      await migrate({ pglite: db });
      expect((await db.query(KINDS)).rows).toEqual(EXPECTED);
    } finally {
      await db.close();
    }
  });

  const database = throwawayDatabase('aether_log_kinds');
  it.skipIf(!postgres)(
    `sorts the stored lines into kinds on PostgreSQL (database ${database.name})`,
    async () => {
      await database.create();
      const pool = new pg.Pool({ connectionString: database.url, max: 1 });
      try {
        await migratePgTo(drizzlePg({ client: pool }), { migrationsFolder: before.folder });
        await pool.query(OLD_LINES);
        await migrate({ pool });
        expect((await pool.query(KINDS)).rows).toEqual(EXPECTED);
      } finally {
        await pool.end();
        await database.drop();
      }
    },
  );
});
