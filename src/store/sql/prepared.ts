/**
 * Statements of the execution hot path, built once per database and run with placeholders:
 * building a Drizzle query is most of its cost per statement (the CPU profile in
 * docs/performance.md showed it as the largest owner of the main thread once the embedded
 * database ran on its own thread), and PostgreSQL plans a named statement once per connection.
 */
import { sql } from 'drizzle-orm';
import type { Db } from './db.js';

/**
 * A placeholder where Drizzle's types expect a column's value (`set`, `values`): it takes one at
 * run time and encodes what fills it through the column like any value (dates, JSON); only its
 * types do not say so.
 */
export const value = <T>(name: string) => sql.placeholder(name) as unknown as T;

const statements = new WeakMap<Db, Map<string, unknown>>();

/** The statement `name` of `db`, built by `build` the first time it is asked for. */
export function preparedFor<T>(db: Db, name: string, build: (db: Db) => T): T {
  let byName = statements.get(db);
  if (!byName) {
    byName = new Map();
    statements.set(db, byName);
  }
  let statement = byName.get(name) as T | undefined;
  if (statement === undefined) {
    statement = build(db);
    byName.set(name, statement);
  }
  return statement;
}
