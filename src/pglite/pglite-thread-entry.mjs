// The embedded database's thread: opens PGlite (`workerData.dataDir`, or 'memory') and runs what
// the main thread sends (messages typed in thread-protocol.ts), answering each by its id.
//
// Plain JavaScript importing only PGlite: a Worker's entry is loaded by Node itself, outside
// vitest's transformed module graph, and tsc emits no .mjs; so this one file runs as it is from
// src/ (vitest, tsx) and, copied by scripts/build.mjs, from dist/.
//
// Every request is handed to PGlite the moment it arrives, so PGlite's own locks order them
// exactly as they order calls in one process: statements run one at a time in arrival order,
// and a statement outside an open transaction waits until that transaction has ended.
import { parentPort, workerData } from 'node:worker_threads';
import { messages, PGlite, TransactionAbortedError } from '@electric-sql/pglite';

const port = parentPort;
if (!port) throw new Error('pglite-thread-entry.mjs runs only as a worker thread');

/** Rejects a transaction's callback when the main side's callback threw: PGlite rolls back. */
const ROLL_BACK = Symbol('roll back');

/** Open transactions by number: the handle once BEGIN has run, and how to end the callback. */
const transactions = new Map();

/** Parsers that keep a type as PostgreSQL's text, one object per set of types. */
const rawParsers = new Map();
const keepText = (value) => value;

function parsersFor(rawTypes) {
  const key = rawTypes.join(',');
  let parsers = rawParsers.get(key);
  if (!parsers) {
    parsers = Object.fromEntries(rawTypes.map((oid) => [oid, keepText]));
    rawParsers.set(key, parsers);
  }
  return parsers;
}

function toQueryOptions(wire) {
  if (!wire) return undefined;
  const options = {};
  if (wire.rowMode !== undefined) options.rowMode = wire.rowMode;
  if (wire.paramTypes !== undefined) options.paramTypes = wire.paramTypes;
  if (wire.rawTypes !== undefined) options.parsers = parsersFor(wire.rawTypes);
  return options;
}

function isCloneable(value) {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

function toWireError(error) {
  if (!(error instanceof Error)) {
    return { kind: 'Error', name: 'Error', message: String(error), fields: {}, hadQueryOptions: false };
  }
  // TransactionAbortedError is a DatabaseError too: ask for it first.
  const kind =
    error instanceof TransactionAbortedError
      ? 'TransactionAbortedError'
      : error instanceof messages.DatabaseError
        ? 'DatabaseError'
        : 'Error';
  const fields = {};
  for (const key of Object.keys(error)) {
    if (key !== 'queryOptions' && isCloneable(error[key])) fields[key] = error[key];
  }
  return {
    kind,
    name: error.name,
    message: error.message,
    stack: error.stack,
    fields,
    hadQueryOptions: Object.hasOwn(error, 'queryOptions'),
  };
}

/**
 * Answers and notifications leave together at the end of the event loop's turn, in the order
 * they were made. Under load the main thread sends many statements at once and the thread runs
 * them within one turn; one message for all their answers wakes the main thread once instead of
 * once per statement (cross-thread wake-ups were the largest cost of the thread). A lone
 * statement's answer leaves as soon as it is made, in the same turn.
 */
const outbox = [];

function send(message) {
  if (outbox.length === 0) setImmediate(flush);
  outbox.push(message);
}

function flush() {
  const messages = outbox.splice(0);
  port.postMessage(messages.length === 1 ? messages[0] : { kind: 'batch', messages });
}

function answer(id, promise) {
  promise.then(
    (value) => send({ kind: 'result', id, value }),
    (error) => send({ kind: 'failure', id, error: toWireError(error) }),
  );
}

/** The session a statement runs on: the instance, or its open transaction once BEGIN has run. */
function onSession(request, run) {
  if (request.tx === undefined) return run(db);
  const open = transactions.get(request.tx);
  if (!open) return Promise.reject(new Error('Transaction is closed'));
  return open.ready.then(run);
}

function begin(id, tx) {
  let markReady;
  let failReady;
  const ready = new Promise((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  // Statements chained on `ready` report its failure themselves.
  ready.catch(() => {});
  let end;
  const ended = new Promise((resolve, reject) => {
    end = (commit) => (commit ? resolve() : reject(ROLL_BACK));
  });
  transactions.set(tx, { ready, end });
  const outcome = db
    .transaction(async (handle) => {
      markReady(handle);
      await ended;
    })
    .catch((error) => {
      failReady(error);
      if (error !== ROLL_BACK) throw error;
    })
    .finally(() => transactions.delete(tx));
  answer(id, outcome);
}

function handle(request) {
  switch (request.op) {
    case 'query':
      return answer(
        request.id,
        onSession(request, (session) =>
          session.query(request.sql, request.params, toQueryOptions(request.options)),
        ),
      );
    case 'exec':
      return answer(
        request.id,
        onSession(request, (session) => session.exec(request.sql, toQueryOptions(request.options))),
      );
    case 'begin':
      return begin(request.id, request.tx);
    case 'end': {
      const open = transactions.get(request.tx);
      // After the statements sent before it, which were chained on `ready` first.
      open?.ready.then(
        () => open.end(request.commit),
        () => {},
      );
      return;
    }
    case 'rollback':
      return answer(
        request.id,
        onSession(request, (session) => session.rollback()),
      );
    case 'close':
      return answer(request.id, db.close());
  }
}

let db;
try {
  db =
    workerData.dataDir === 'memory'
      ? await PGlite.create()
      : await PGlite.create({ dataDir: workerData.dataDir });
} catch (error) {
  port.postMessage({ kind: 'open-failed', error: toWireError(error) });
}
if (db) {
  db.onNotification((channel, payload) => send({ kind: 'notification', channel, payload }));
  port.on('message', handle);
  port.postMessage({ kind: 'ready' });
}
