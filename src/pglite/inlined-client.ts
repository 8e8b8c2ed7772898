import type { PGlite, QueryOptions, Results, Transaction } from '@electric-sql/pglite';
import { inlineParams } from './sql-literals.js';

/**
 * A PGlite client whose parameterised queries run over the simple-query path with their
 * parameters inlined as literals (see sql-literals.ts): half the cost per statement of PGlite's
 * extended protocol, on the one session that the store and the queue share. Everything else
 * (transactions, notifications, close) is the instance's own.
 */
function inlineQuery<T>(
  exec: (sql: string, options?: QueryOptions) => Promise<Array<Results<T>>>,
): (sql: string, params?: unknown[], options?: QueryOptions) => Promise<Results<T>> {
  return async (sql, params, options) => {
    const text = params && params.length > 0 ? inlineParams(sql, params) : sql;
    const results = await exec(text, options);
    // One statement in, one result out; exec returns a list because it accepts several.
    return results[results.length - 1] ?? { rows: [], fields: [], affectedRows: 0 };
  };
}

export function withInlinedParams(db: PGlite): PGlite {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'query') return inlineQuery((sql, options) => target.exec(sql, options));
      if (property === 'transaction') {
        return <T>(callback: (tx: Transaction) => Promise<T>) =>
          target.transaction((tx) =>
            callback(
              new Proxy(tx, {
                get(inner, key, innerReceiver) {
                  if (key === 'query') return inlineQuery((sql, options) => inner.exec(sql, options));
                  return Reflect.get(inner, key, innerReceiver);
                },
              }),
            ),
          );
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
