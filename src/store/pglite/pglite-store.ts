import type { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Store } from '../../core/store.js';
import { withInlinedParams } from '../../pglite/inlined-client.js';
import { createSqlStore } from '../sql/sql-store.js';

/**
 * The Store on an embedded PGlite instance the caller opened (see `openPglite`) and owns: the same
 * single session also carries the queue, so `close()` leaves it open, and every store transaction
 * is a few short statements because an open transaction blocks all other users of the session.
 * Run `migrate({ pglite })` first; this does not create tables.
 */
export function createPgliteStore(db: PGlite): Store {
  return createSqlStore({
    kind: 'pglite',
    db: drizzle({ client: withInlinedParams(db) }),
    close: async () => {},
  });
}
