import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { type Logger, silentLogger } from '../../core/logger.js';
import type { Store } from '../../core/store.js';
import { createSqlStore } from '../sql/sql-store.js';

/**
 * Either a pool the caller owns (shared with BullMQ's PostgreSQL backend, say; `close()` leaves it
 * open) or a connection string, from which the store makes and owns its own pool.
 */
export type PostgresConnection =
  | { pool: pg.Pool }
  | {
      connectionString: string;
      /** Pool size. Default 10. */
      maxConnections?: number;
      /** How long to wait for a connection before failing with ERR_STORE_UNAVAILABLE. Default 5000. */
      connectTimeoutMs?: number;
    };

export interface PostgresStoreDeps {
  logger?: Logger;
}

/** The Store on a PostgreSQL server. Run `migrate()` first; this does not create tables. */
export function createPostgresStore(connection: PostgresConnection, deps: PostgresStoreDeps = {}): Store {
  const logger = (deps.logger ?? silentLogger).child({ component: 'store', backend: 'postgres' });
  const owned = !('pool' in connection);
  const pool =
    'pool' in connection
      ? connection.pool
      : new pg.Pool({
          connectionString: connection.connectionString,
          max: connection.maxConnections ?? 10,
          connectionTimeoutMillis: connection.connectTimeoutMs ?? 5000,
        });
  // A client whose server went away (restart, failover) emits 'error': an idle one on the pool,
  // one checked out (inside a transaction, between its statements) on itself, where the pool
  // does not listen. With no listener Node treats it as unhandled and the process dies
  // (node-postgres #1707, #2762). The pool drops a broken client by itself and the statement in
  // flight fails as ERR_STORE_UNAVAILABLE, so logging is enough.
  const onConnectionError = (error: Error) => {
    logger.warn({ reason: error.message }, 'PostgreSQL connection failed; the pool will replace it');
  };
  const watchClient = (client: pg.PoolClient) => {
    client.on('error', onConnectionError);
  };
  pool.on('error', onConnectionError);
  pool.on('connect', watchClient);
  return createSqlStore({
    kind: 'postgres',
    db: drizzle({ client: pool }),
    close: async () => {
      if (owned) await pool.end();
      else {
        pool.off('error', onConnectionError);
        pool.off('connect', watchClient);
      }
    },
  });
}
