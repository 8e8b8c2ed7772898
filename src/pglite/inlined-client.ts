import type { Results } from '@electric-sql/pglite';
import type {
  EmbeddedDatabase,
  EmbeddedQueryOptions,
  EmbeddedSession,
  EmbeddedTransaction,
} from './embedded-database.js';
import { SessionStatements } from './session-statements.js';

/**
 * A PGlite client whose parameterised queries run over the simple-query path with their
 * parameters inlined as literals (see sql-literals.ts): half the cost per statement of PGlite's
 * extended protocol, on the one session that the store and the queue share; the texts that
 * recur run as EXECUTE of a statement prepared once (session-statements.ts). Everything else
 * (exec, transactions, notifications, close) is the database's own.
 */
function inlineQuery(
  session: EmbeddedSession,
  statements: SessionStatements,
  inTransaction: boolean,
): EmbeddedSession['query'] {
  return async <T>(sql: string, params?: unknown[], options?: EmbeddedQueryOptions): Promise<Results<T>> => {
    const results =
      params && params.length > 0
        ? await statements.run(session, sql, params, options, !inTransaction)
        : await session.exec(sql, options);
    // One statement in, one result out; exec returns a list because it accepts several.
    return (results[results.length - 1] ?? { rows: [], fields: [], affectedRows: 0 }) as Results<T>;
  };
}

function inlinedTransaction(tx: EmbeddedTransaction, statements: SessionStatements): EmbeddedTransaction {
  return {
    query: inlineQuery(tx, statements, true),
    exec: (sql, options) => tx.exec(sql, options),
    rollback: () => tx.rollback(),
    get closed() {
      return tx.closed;
    },
  };
}

export function withInlinedParams(db: EmbeddedDatabase): EmbeddedDatabase {
  // One set per session: prepared statements belong to the session, not to a caller.
  const statements = new SessionStatements();
  return {
    query: inlineQuery(db, statements, false),
    exec: (sql, options) => db.exec(sql, options),
    transaction: (callback) => db.transaction((tx) => callback(inlinedTransaction(tx, statements))),
    onNotification: (callback) => db.onNotification(callback),
    close: () => db.close(),
    get closed() {
      return db.closed;
    },
  };
}
