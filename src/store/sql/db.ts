import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/**
 * The one database type the shared queries see: a Drizzle Postgres database or a transaction on
 * it (a transaction is a PgDatabase too). Both `drizzle-orm/node-postgres` and
 * `drizzle-orm/pglite` produce one, so every query below runs unchanged on either backend.
 */
export type Db = PgDatabase<PgQueryResultHKT>;
