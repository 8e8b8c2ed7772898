import type { Store } from '../../src/core/store.js';
import { openPglite } from '../../src/pglite/open-pglite.js';
import { migrate } from '../../src/store/migrate.js';
import { createPgliteStore } from '../../src/store/pglite/pglite-store.js';

/**
 * A migrated store on an in-memory PGlite of its own; closing the store closes the database
 * too (a store leaves a caller's PGlite open).
 */
export async function openMemoryStore(): Promise<Store> {
  const db = await openPglite('memory');
  await migrate({ pglite: db });
  const store = createPgliteStore(db);
  return {
    ...store,
    async close() {
      await store.close();
      await db.close();
    },
  };
}
