import type { Results } from '@electric-sql/pglite';
import type {
  EmbeddedDatabase,
  EmbeddedQueryOptions,
  EmbeddedSession,
  EmbeddedTransaction,
} from './embedded-database.js';
import { inlineParams } from './sql-literals.js';

/**
 * A PGlite client whose parameterised queries run over the simple-query path with their
 * parameters inlined as literals (see sql-literals.ts): half the cost per statement of PGlite's
 * extended protocol, on the one session that the store and the queue share. Everything else
 * (exec, transactions, notifications, close) is the database's own.
 */
function inlineQuery(session: EmbeddedSession): EmbeddedSession['query'] {
  return async <T>(sql: string, params?: unknown[], options?: EmbeddedQueryOptions): Promise<Results<T>> => {
    const text = params && params.length > 0 ? inlineParams(sql, params) : sql;
    const results = await session.exec(text, options);
    // One statement in, one result out; exec returns a list because it accepts several.
    return (results[results.length - 1] ?? { rows: [], fields: [], affectedRows: 0 }) as Results<T>;
  };
}

function inlinedTransaction(tx: EmbeddedTransaction): EmbeddedTransaction {
  return {
    query: inlineQuery(tx),
    exec: (sql, options) => tx.exec(sql, options),
    rollback: () => tx.rollback(),
    get closed() {
      return tx.closed;
    },
  };
}

export function withInlinedParams(db: EmbeddedDatabase): EmbeddedDatabase {
  return {
    query: inlineQuery(db),
    exec: (sql, options) => db.exec(sql, options),
    transaction: (callback) => db.transaction((tx) => callback(inlinedTransaction(tx))),
    onNotification: (callback) => db.onNotification(callback),
    close: () => db.close(),
    get closed() {
      return db.closed;
    },
  };
}
