import type { PGlite } from '@electric-sql/pglite';
import { drizzle, type PgliteDatabase } from 'drizzle-orm/pglite';
import type { EmbeddedDatabase } from '../../pglite/embedded-database.js';

/**
 * Drizzle's PGlite driver over any embedded database (an instance, or the client of one on its
 * own thread). The driver's types name the PGlite class, but it calls only `query` and
 * `transaction` (and `query` on the transaction), which every EmbeddedDatabase offers.
 */
export function drizzlePglite(db: EmbeddedDatabase): PgliteDatabase {
  return drizzle({ client: db as unknown as PGlite });
}
