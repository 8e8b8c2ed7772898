/**
 * PGlite on a thread of its own. Its WebAssembly execution and file I/O were most of the main
 * thread's time under load (docs/performance.md); here they run in parallel with HTTP, the
 * queue and the sandbox connections, and the main side only posts statements and reads answers.
 *
 * The thread hands each request to PGlite as it arrives, so PGlite's own locks keep the one
 * session's order: statements one at a time, first come first served, and nothing outside an
 * open transaction until it ends. Answers are what PGlite returns in process: rows, fields,
 * counts, parsed types (see thread-results.ts) and errors of the same classes and fields (see
 * thread-errors.ts).
 */
import { Worker } from 'node:worker_threads';
import type { Results } from '@electric-sql/pglite';
import type { EmbeddedDatabase, EmbeddedQueryOptions, EmbeddedTransaction } from './embedded-database.js';
import { type FailedCall, reviveError, threadGoneError } from './thread-errors.js';
import type { ThreadData, ThreadMessage, ThreadRequest, WireQueryOptions } from './thread-protocol.js';
import { applyParsers, rawTypesOf } from './thread-results.js';

/** Plain JavaScript beside this module in src/ and in dist/ (scripts/build.mjs copies it). */
const ENTRY = new URL('./pglite-thread-entry.mjs', import.meta.url);

type Pending = FailedCall & {
  resolve(value: unknown): void;
  reject(error: Error): void;
};

/** A request that is answered, before it has its id. */
type Call = ThreadRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
type StatementCall = Extract<Call, { op: 'query' | 'exec' }>;

/**
 * Opens PGlite on a new thread: a directory for data that survives restarts, or `'memory'`.
 * Rejects with PGlite's own error when it cannot open, after ending the thread.
 */
export async function openPgliteThread(dataDir: string | 'memory'): Promise<PgliteThread> {
  const data: ThreadData = { dataDir };
  // The thread inherits the process's Node options: naming them instead would fail on every one a
  // worker may not take (--max-old-space-size, --title, ...), and the loaders tsx and vitest add
  // only cost a little start-up there.
  const worker = new Worker(ENTRY, { workerData: data });
  try {
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: ThreadMessage) => {
        if (message.kind === 'ready') settle(resolve);
        else if (message.kind === 'open-failed') settle(() => reject(reviveError(message.error)));
      };
      const onError = (error: Error) => settle(() => reject(error));
      const onExit = (code: number) =>
        settle(() => reject(threadGoneError(`exited while opening (code ${code})`)));
      function settle(then: () => void) {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        then();
      }
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return new PgliteThread(worker);
}

export class PgliteThread implements EmbeddedDatabase {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Set<(channel: string, payload: string) => void>();
  #nextId = 1;
  #nextTransaction = 1;
  /** Set once the thread is gone or closed: every later call fails with it. */
  #refusal: (() => Error) | undefined;
  #closing: Promise<void> | undefined;
  #closed = false;

  constructor(worker: Worker) {
    this.#worker = worker;
    // Referenced only while a call waits for its answer: an idle database never keeps the
    // process alive, and a pending call always does.
    worker.unref();
    worker.on('message', (message: ThreadMessage) => this.#receive(message));
    worker.on('error', (error: Error) => this.#fail(threadGoneError(`failed: ${error.message}`, error)));
    worker.on('exit', (code: number) => this.#fail(threadGoneError(`exited (code ${code})`)));
    // An answer that cannot be read would leave its caller waiting forever: end it all instead.
    worker.on('messageerror', (error: Error) => {
      this.#fail(threadGoneError(`sent an unreadable answer: ${error.message}`, error));
      void worker.terminate();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  async query<T>(sql: string, params?: unknown[], options?: EmbeddedQueryOptions): Promise<Results<T>> {
    return (await this.#statement({ op: 'query', sql, params }, options)) as Results<T>;
  }

  async exec(sql: string, options?: EmbeddedQueryOptions): Promise<Array<Results>> {
    return (await this.#statement({ op: 'exec', sql }, options)) as Results[];
  }

  async transaction<T>(callback: (tx: EmbeddedTransaction) => Promise<T>): Promise<T> {
    // As PGlite: on a closed database the callback never runs.
    const refusal = this.#refusalNow('begin');
    if (refusal) throw refusal;
    const number = this.#nextTransaction++;
    const ended = this.#request({ op: 'begin', tx: number });
    // Read below, once the callback is done; until then its failure must not count as unhandled.
    ended.catch(() => {});
    const tx = new ThreadTransaction({
      statement: (call, options) => this.#statement({ ...call, tx: number }, options),
      rollback: async () => {
        await this.#request({ op: 'rollback', tx: number });
      },
    });
    let result: T;
    try {
      result = await callback(tx);
    } catch (error) {
      this.#end(tx, number, false);
      // A failed ROLLBACK is thrown instead of the callback's error, as PGlite does.
      await ended;
      throw error;
    }
    this.#end(tx, number, true);
    await ended;
    return result;
  }

  onNotification(callback: (channel: string, payload: string) => void): () => void {
    this.#listeners.add(callback);
    return () => this.#listeners.delete(callback);
  }

  /** Closes PGlite on its thread (it writes what it holds), then ends the thread. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /**
   * Ends the thread at once without closing PGlite, as a crash would. Pending and later calls
   * fail as on any lost thread; for tests of that, and as a last resort when `close()` hangs.
   */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }

  async #statement(call: StatementCall, options: EmbeddedQueryOptions | undefined): Promise<unknown> {
    const value = await this.#request(
      options ? { ...call, options: toWireOptions(options) } : call,
      call.op === 'query' ? { params: call.params, options } : { options },
    );
    const parsers = options?.parsers;
    if (parsers && value) {
      for (const result of Array.isArray(value) ? value : [value]) applyParsers(result as Results, parsers);
    }
    return value;
  }

  #end(tx: ThreadTransaction, number: number, commit: boolean): void {
    tx.markClosed();
    this.#worker.postMessage({ op: 'end', tx: number, commit } satisfies ThreadRequest);
  }

  async #close(): Promise<void> {
    try {
      // A thread that is already gone has nothing left to close.
      if (!this.#refusal) await this.#request({ op: 'close' });
    } finally {
      this.#closed = true;
      this.#refusal = () => new Error('PGlite is closed');
      await this.#worker.terminate();
    }
  }

  #request(call: Call, failed: FailedCall = {}): Promise<unknown> {
    const refusal = this.#refusalNow(call.op);
    if (refusal) return Promise.reject(refusal);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, ...failed });
      if (this.#pending.size === 1) this.#worker.ref();
      try {
        this.#worker.postMessage({ ...call, id } as ThreadRequest);
      } catch (error) {
        // A value that cannot be cloned (a function, say) never reaches the thread.
        this.#settle(id);
        reject(error as Error);
      }
    });
  }

  /** Why a call must fail before it is sent: PGlite's own words during and after close. */
  #refusalNow(op: ThreadRequest['op']): Error | undefined {
    if (this.#refusal) return this.#refusal();
    if (this.#closing && op !== 'close') return new Error('PGlite is closing');
    return undefined;
  }

  /** Forgets call `id`, and lets the process exit when no other call waits. */
  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    if (pending && this.#pending.size === 0) this.#worker.unref();
    return pending;
  }

  #receive(message: ThreadMessage): void {
    if (message.kind === 'batch') {
      for (const answer of message.messages) this.#receive(answer);
    } else if (message.kind === 'result') {
      this.#settle(message.id)?.resolve(message.value);
    } else if (message.kind === 'failure') {
      const pending = this.#settle(message.id);
      pending?.reject(reviveError(message.error, pending));
    } else if (message.kind === 'notification') {
      for (const listener of this.#listeners) listener(message.channel, message.payload);
    }
  }

  #fail(error: Error): void {
    this.#refusal ??= () => error;
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(error);
  }
}

function toWireOptions(options: EmbeddedQueryOptions): WireQueryOptions {
  for (const unsupported of ['serializers', 'onNotice', 'blob']) {
    if (unsupported in options) {
      throw new TypeError(`the embedded database thread does not take the query option ${unsupported}`);
    }
  }
  const wire: WireQueryOptions = {};
  if (options.rowMode !== undefined) wire.rowMode = options.rowMode;
  if (options.paramTypes !== undefined) wire.paramTypes = options.paramTypes;
  if (options.parsers !== undefined) wire.rawTypes = rawTypesOf(options.parsers);
  return wire;
}

/** How a transaction reaches its thread. */
interface TransactionChannel {
  statement(call: StatementCall, options: EmbeddedQueryOptions | undefined): Promise<unknown>;
  rollback(): Promise<void>;
}

/** A transaction's side of the session: PGlite's rules for a closed transaction, then the thread. */
class ThreadTransaction implements EmbeddedTransaction {
  #closed = false;

  constructor(private readonly channel: TransactionChannel) {}

  get closed(): boolean {
    return this.#closed;
  }

  async query<T>(sql: string, params?: unknown[], options?: EmbeddedQueryOptions): Promise<Results<T>> {
    this.#assertOpen();
    return (await this.channel.statement({ op: 'query', sql, params }, options)) as Results<T>;
  }

  async exec(sql: string, options?: EmbeddedQueryOptions): Promise<Array<Results>> {
    this.#assertOpen();
    return (await this.channel.statement({ op: 'exec', sql }, options)) as Results[];
  }

  async rollback(): Promise<void> {
    this.#assertOpen();
    await this.channel.rollback();
    this.#closed = true;
  }

  markClosed(): void {
    this.#closed = true;
  }

  /** PGlite's own words, so callers see the same error in either mode. */
  #assertOpen(): void {
    if (this.#closed) throw new Error('Transaction is closed');
  }
}
