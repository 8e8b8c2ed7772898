/**
 * Makes one embedded database (PGlite, in process or on its own thread) look like the `pg.Pool`
 * BullMQ's PostgreSQL backend expects.
 *
 * Why this works: BullMQ runs every queue operation as one parameterised statement on the pool
 * (its logic lives in PL/pgSQL functions), uses a checked-out client only to `LISTEN`, and opens
 * a transaction only in `runMigrations` (which we run ourselves inside `db.transaction`). PGlite
 * is a single session, so every "client" here is the same session; that is fine for single
 * statements because PGlite serialises them, and `db.query` waits for any open `db.transaction`.
 *
 * Values are serialised exactly as node-postgres does (`prepareValue`), and int8/numeric come
 * back as strings as they do from `pg`, so BullMQ sees the types it was written against.
 * Statements run over PGlite's simple-query path with inlined literals (sql-literals.ts).
 */
import { EventEmitter } from 'node:events';
import type { Results } from '@electric-sql/pglite';
import type { PgNotification, PgPool, PgPoolClient, PgQueryResult } from 'bullmq';
import type { EmbeddedDatabase, EmbeddedSession } from '../../pglite/embedded-database.js';
import { SessionStatements } from '../../pglite/session-statements.js';
import { inlineParams } from '../../pglite/sql-literals.js';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

type Parsers = Record<number, (value: string) => unknown>;

/** A `pg.Pool` look-alike over one PGlite instance, plus the hooks we need to close it. */
export interface PglitePool extends PgPool {
  /** pg's `pool.options`: BullMQ reads `keepAlive` to decide how long a worker may block. */
  readonly options: { keepAlive: boolean };
  /** Stops forwarding notifications; does not close the PGlite instance (the caller owns it). */
  end(): Promise<void>;
}

/** What PGlite offers both on the instance and inside `db.transaction`. */
export type PgliteTarget = Pick<EmbeddedSession, 'exec'>;

/** Runs pg-style `(text, params)` queries on `target` (the instance or an open transaction). */
export type PgliteQuery = <R>(
  target: PgliteTarget,
  text: string,
  params?: readonly unknown[],
) => Promise<PgQueryResult<R>>;

/**
 * Builds the pg-compatible query function. With `statements` (queries on the instance, never in
 * a transaction), texts that recur run as EXECUTE of a statement prepared once.
 */
export function createPgliteQuery(statements?: SessionStatements): PgliteQuery {
  // pg returns int8 and numeric as strings; PGlite would parse them to numbers.
  const parsers: Parsers = { [INT8_OID]: (s) => s, [NUMERIC_OID]: (s) => s };
  return async <R>(target: PgliteTarget, text: string, params?: readonly unknown[]) => {
    // Simple protocol with inlined literals: half the cost of PGlite's extended protocol (see
    // sql-literals.ts). Parameterless text goes the same way, as pg sends it.
    const results =
      params && params.length > 0
        ? statements
          ? await statements.run(target, text, params, { parsers }, true)
          : await target.exec(inlineParams(text, params), { parsers })
        : await target.exec(text, { parsers });
    const last = results.at(-1);
    return last ? toPgResult(last as Results<R>) : { rows: [], rowCount: 0 };
  };
}

function toPgResult<R>(result: Results<R>): PgQueryResult<R> {
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
}

class PgliteClient extends EventEmitter implements PgPoolClient {
  constructor(
    private readonly pool: PgliteShim,
    readonly connection: undefined = undefined,
  ) {
    super();
  }

  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<PgQueryResult<R>> {
    return this.pool.query<R>(text, params);
  }

  release(): void {
    this.pool.forget(this);
  }
}

class PgliteShim extends EventEmitter implements PglitePool {
  readonly options = { keepAlive: true };
  private readonly clients = new Set<PgliteClient>();
  private readonly run: PgliteQuery;
  private readonly stopNotifications: () => void;
  private ended = false;

  constructor(private readonly db: EmbeddedDatabase) {
    super();
    this.run = createPgliteQuery(new SessionStatements('aether_queue_stmt'));
    this.stopNotifications = db.onNotification((channel, payload) => {
      const message: PgNotification = { channel, payload };
      for (const client of this.clients) client.emit('notification', message);
    });
  }

  async query<R = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<PgQueryResult<R>> {
    if (this.ended) throw new Error('Cannot use a pool after calling end on the pool');
    return this.run<R>(this.db, text, params);
  }

  async connect(): Promise<PgPoolClient> {
    if (this.ended) throw new Error('Cannot use a pool after calling end on the pool');
    const client = new PgliteClient(this);
    this.clients.add(client);
    this.emit('connect', client);
    return client;
  }

  forget(client: PgliteClient): void {
    this.clients.delete(client);
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.stopNotifications();
    for (const client of this.clients) client.removeAllListeners();
    this.clients.clear();
  }
}

/** Wraps `db` as a pool; the instance stays open after `end()`, because the store shares it. */
export function createPglitePool(db: EmbeddedDatabase): PglitePool {
  return new PgliteShim(db);
}
