import type { Store } from '../../core/store.js';
import type { EmbeddedDatabase } from '../../pglite/embedded-database.js';
import { withInlinedParams } from '../../pglite/inlined-client.js';
import { createSqlStore } from '../sql/sql-store.js';
import { drizzlePglite } from './drizzle-pglite.js';

/**
 * The Store on an embedded database the caller opened (see `openPgliteThread`, or `openPglite`
 * in tests) and owns: the same single session also carries the queue, so `close()` leaves it
 * open, and every store transaction is a few short statements because an open transaction blocks
 * all other users of the session. Run `migrate({ pglite })` first; this does not create tables.
 */
export function createPgliteStore(db: EmbeddedDatabase): Store {
  return createSqlStore({
    kind: 'pglite',
    db: drizzlePglite(withInlinedParams(db)),
    close: async () => {},
  });
}
