import type { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { MIGRATIONS_FOLDER } from '../migrations-folder.js';
import { guard } from '../store-errors.js';

/** One PGlite instance belongs to one process, so no lock is needed against concurrent runs. */
export async function migratePglite(pglite: PGlite): Promise<void> {
  await guard(() => migrate(drizzle({ client: pglite }), { migrationsFolder: MIGRATIONS_FOLDER }));
}
