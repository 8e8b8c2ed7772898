import { migrate } from '../store/migrate.js';
import { openEmbeddedDatabase, probePostgres, serverAddress } from './backends.js';
import type { AetherConfig } from './config.js';

/** Applies the store's migrations to the configured database and says where. */
export async function migrateFromConfig(config: AetherConfig): Promise<string> {
  if (config.databaseUrl) {
    // A wrong URL, a refused port or a bad password is reported as such, within seconds.
    await probePostgres(config.databaseUrl);
    await migrate({ connectionString: config.databaseUrl });
    return `migrated PostgreSQL at ${serverAddress(config.databaseUrl, 5432)}`;
  }
  const { db, dbDir } = await openEmbeddedDatabase(config.dataDir);
  await db.close();
  return `migrated the embedded database in ${dbDir}`;
}
