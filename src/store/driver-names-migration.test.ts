/**
 * `0013_driver_names`, on PGlite and PostgreSQL: a VM or snapshot row takes any driver name of
 * the right shape (a driver added to the build needs no migration), and nothing else.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../test/support/backends.js';
import { throwawayDatabase } from '../../test/support/throwaway-database.js';
import { openPglite } from '../pglite/open-pglite.js';
import { migrate } from './migrate.js';

const postgres = await postgresAvailable();

type Query = (text: string, values: unknown[]) => Promise<unknown>;

const insertVm = (query: Query, driver: string) =>
  query('INSERT INTO vms (id, project, name, driver, vcpus, memory_mib) VALUES ($1, $2, $3, $4, 1, 256)', [
    randomUUID(),
    'default',
    `vm-${randomUUID().slice(0, 8)}`,
    driver,
  ]);

async function expectDriverNamesChecked(query: Query): Promise<void> {
  for (const driver of ['process', 'firecracker', 'cloudhv', 'vz-2']) await insertVm(query, driver);
  for (const driver of ['', 'Docker', '2vm', 'a b', `x${'y'.repeat(32)}`]) {
    await expect(insertVm(query, driver), JSON.stringify(driver)).rejects.toThrow(/vms_driver_check/);
  }
  const source = randomUUID();
  await query(
    'INSERT INTO vms (id, project, name, driver, vcpus, memory_mib) VALUES ($1, $2, $3, $4, 1, 256)',
    [source, 'default', 'snapshot-source', 'cloudhv'],
  );
  const insertSnapshot = (driver: string) =>
    query(
      'INSERT INTO vm_snapshots (id, project, source_vm_id, driver, vcpus, memory_mib) VALUES ($1, $2, $3, $4, 1, 256)',
      [randomUUID(), 'default', source, driver],
    );
  await insertSnapshot('cloudhv');
  await expect(insertSnapshot('Cloud HV')).rejects.toThrow(/vm_snapshots_driver_check/);
}

describe('driver names in the store (migration 0013_driver_names)', () => {
  it('are checked by shape on PGlite', async () => {
    const db = await openPglite('memory');
    try {
      await migrate({ pglite: db });
      await expectDriverNamesChecked((text, values) => db.query(text, values));
    } finally {
      await db.close();
    }
  });

  const database = throwawayDatabase('aether_driver_names');
  it.skipIf(!postgres)(`are checked by shape on PostgreSQL (database ${database.name})`, async () => {
    await database.create();
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      await migrate({ pool });
      await expectDriverNamesChecked((text, values) => pool.query(text, values));
    } finally {
      await pool.end();
      await database.drop();
    }
  });
});
