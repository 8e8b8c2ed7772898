import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AetherConfig } from '../core/config.js';
import { openPglite } from '../pglite/open-pglite.js';
import { migrate } from '../store/migrate.js';

/** Applies the store's migrations to the configured database and says where. */
export async function migrateFromConfig(config: AetherConfig): Promise<string> {
  if (config.databaseUrl) {
    await migrate({ connectionString: config.databaseUrl });
    return `migrated PostgreSQL at ${new URL(config.databaseUrl).host}`;
  }
  const dbDir = path.join(config.dataDir, 'db');
  mkdirSync(dbDir, { recursive: true });
  const db = await openPglite(dbDir);
  try {
    await migrate({ pglite: db });
  } finally {
    await db.close();
  }
  return `migrated the embedded database in ${dbDir}`;
}
