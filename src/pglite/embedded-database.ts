import type { QueryOptions, Results } from '@electric-sql/pglite';

/**
 * The part of PGlite's interface that the store, the queue and the migrations use. A PGlite
 * instance satisfies it as it is (tests open one in memory), and so does the client of a PGlite
 * running on its own thread (`openPgliteThread`), which is what a node uses.
 */

/**
 * Query options callers may pass. PGlite's others (`serializers`, `onNotice`, `blob`) hold
 * functions or streams, which cannot reach a database on another thread.
 */
export type EmbeddedQueryOptions = Pick<QueryOptions, 'rowMode' | 'parsers' | 'paramTypes'>;

/** What the instance and an open transaction both run. */
export interface EmbeddedSession {
  /** One statement, over the extended protocol when it has parameters. */
  query<T>(sql: string, params?: unknown[], options?: EmbeddedQueryOptions): Promise<Results<T>>;
  /** One or more statements over the simple protocol, without parameters; one result each. */
  exec(sql: string, options?: EmbeddedQueryOptions): Promise<Array<Results>>;
}

export interface EmbeddedTransaction extends EmbeddedSession {
  /** Rolls back now; the transaction is closed after it and its callback's result is kept. */
  rollback(): Promise<void>;
  readonly closed: boolean;
}

export interface EmbeddedDatabase extends EmbeddedSession {
  /**
   * BEGIN, the callback, then COMMIT, or ROLLBACK when the callback throws. The session is
   * single: while a transaction is open every other statement waits for it to end.
   */
  transaction<T>(callback: (tx: EmbeddedTransaction) => Promise<T>): Promise<T>;
  /** Every NOTIFY the session receives, on any channel it LISTENs to; returns the unsubscriber. */
  onNotification(callback: (channel: string, payload: string) => void): () => void;
  close(): Promise<void>;
  readonly closed: boolean;
}
