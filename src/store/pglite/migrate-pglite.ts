import { migrate } from 'drizzle-orm/pglite/migrator';
import type { EmbeddedDatabase } from '../../pglite/embedded-database.js';
import { MIGRATIONS_FOLDER } from '../migrations-folder.js';
import { guard } from '../store-errors.js';
import { drizzlePglite } from './drizzle-pglite.js';

/** One embedded database belongs to one process, so no lock is needed against concurrent runs. */
export async function migratePglite(pglite: EmbeddedDatabase): Promise<void> {
  await guard(() => migrate(drizzlePglite(pglite), { migrationsFolder: MIGRATIONS_FOLDER }));
}
