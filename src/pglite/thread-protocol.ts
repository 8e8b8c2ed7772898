/**
 * The messages between the main thread and the embedded database's thread
 * (`pglite-thread-entry.mjs`, which is plain JavaScript and follows these types by hand).
 *
 * Requests carry an `id`; the thread answers each with one `result` or `failure` of that id.
 * Statements of an open transaction carry its `tx` number.
 */
import type { Results, RowMode } from '@electric-sql/pglite';

/** Query options as they cross: parsers are functions, so only the types they cover are sent. */
export interface WireQueryOptions {
  rowMode?: RowMode;
  paramTypes?: number[];
  /** Type OIDs the thread must hand back as PostgreSQL's text: the caller's parsers read them. */
  rawTypes?: number[];
}

export type ThreadRequest =
  | { op: 'query'; id: number; tx?: number; sql: string; params?: unknown[]; options?: WireQueryOptions }
  | { op: 'exec'; id: number; tx?: number; sql: string; options?: WireQueryOptions }
  /** Opens transaction `tx`; answered when it has ended (committed or rolled back). */
  | { op: 'begin'; id: number; tx: number }
  /** The main side's callback is done: commit, or roll back because it threw. Not answered. */
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'rollback'; id: number; tx: number }
  | { op: 'close'; id: number };

/** An error as it crosses: its class, message, stack and every plain-valued field. */
export interface WireError {
  kind: 'DatabaseError' | 'TransactionAbortedError' | 'Error';
  name: string;
  message: string;
  stack?: string;
  /** Own fields in their order (`code`, `detail`, `constraint`, `query`, ...). */
  fields: Record<string, unknown>;
  /** PGlite attaches the statement's options, functions included; the main side puts them back. */
  hadQueryOptions: boolean;
}

/** An answer, or a notification the session received. */
export type ThreadAnswer =
  | { kind: 'result'; id: number; value: Results | Results[] | undefined }
  | { kind: 'failure'; id: number; error: WireError }
  | { kind: 'notification'; channel: string; payload: string };

export type ThreadMessage =
  | { kind: 'ready' }
  | { kind: 'open-failed'; error: WireError }
  | ThreadAnswer
  /** Answers made in one turn of the thread's event loop, in order. */
  | { kind: 'batch'; messages: ThreadAnswer[] };

/** What the thread is started with (`workerData`). */
export interface ThreadData {
  dataDir: string;
}
