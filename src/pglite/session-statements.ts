/**
 * Statements the embedded session keeps PREPAREd, by their text. PostgreSQL parses and plans a
 * statement each time it runs one by text; for the hot path's statements of data-modifying CTEs
 * that is half their cost (the claim: 2.7 ms by text, 1.3 ms as `EXECUTE` of its prepared
 * statement, PGlite in memory on this machine). A text with parameters that recurs is prepared
 * once (`PREPARE`, the parameter types inferred as the extended protocol would) and run as
 * `EXECUTE name(literals)` from then on; the literals are the same ones sql-literals.ts inlines.
 * Only `limit` texts are kept, so a stream of one-off statements cannot grow the session.
 */
import type { EmbeddedSession } from './embedded-database.js';
import { inlineParams, isSingleStatement, toLiteral } from './sql-literals.js';

/** Uses of a text before it is prepared: one-off statements never are. */
const PREPARE_AFTER = 2;
const DEFAULT_LIMIT = 64;
/** SQLSTATE 26000: the prepared statement is gone (a DEALLOCATE or DISCARD by someone else). */
const NO_SUCH_STATEMENT = '26000';

export class SessionStatements {
  private readonly uses = new Map<string, number>();
  /** Text → its statement's name once prepared, null when it cannot be (then it runs by text). */
  private readonly prepared = new Map<string, Promise<string | null>>();
  private next = 1;

  /** `prefix` names this set's statements apart from another set's on the same session. */
  constructor(
    private readonly prefix = 'aether_stmt',
    private readonly limit = DEFAULT_LIMIT,
  ) {}

  /**
   * Runs `sql` with `params` on `session`. `mayPrepare` is false inside a transaction: a PREPARE
   * there would fail with the transaction if a statement before it did, so only statements
   * prepared already are used.
   */
  async run(
    session: Pick<EmbeddedSession, 'exec'>,
    sql: string,
    params: readonly unknown[],
    options: Parameters<EmbeddedSession['exec']>[1],
    mayPrepare: boolean,
  ) {
    const name = await this.nameOf(session, sql, mayPrepare);
    if (name === null) return session.exec(inlineParams(sql, params), options);
    try {
      return await session.exec(`EXECUTE ${name}(${params.map(toLiteral).join(', ')})`, options);
    } catch (error) {
      if ((error as { code?: string }).code !== NO_SUCH_STATEMENT) throw error;
      this.prepared.delete(sql);
      return session.exec(inlineParams(sql, params), options);
    }
  }

  private nameOf(
    session: Pick<EmbeddedSession, 'exec'>,
    sql: string,
    mayPrepare: boolean,
  ): Promise<string | null> | null {
    const known = this.prepared.get(sql);
    if (known) return known;
    if (!mayPrepare || this.prepared.size >= this.limit || !isSingleStatement(sql)) return null;
    const uses = (this.uses.get(sql) ?? 0) + 1;
    if (uses < PREPARE_AFTER) {
      if (this.uses.size >= this.limit * 16) this.uses.clear();
      this.uses.set(sql, uses);
      return null;
    }
    this.uses.delete(sql);
    const name = `${this.prefix}_${this.next++}`;
    // Kept as a promise, so callers that arrive while it is being prepared wait for it.
    const preparing = session.exec(`PREPARE ${name} AS ${sql}`).then(
      () => name,
      // A text PostgreSQL cannot prepare (a parameter whose type nothing tells) runs by text.
      () => null,
    );
    this.prepared.set(sql, preparing);
    return preparing;
  }
}
