/**
 * Errors from the database thread, rebuilt on the main side as the classes PGlite throws in
 * process, with the same fields in the same order, so `store-errors.ts` (which reads `code`,
 * `constraint`, `detail`, `message`) and anyone matching on the class see no difference.
 */
import { messages, TransactionAbortedError } from '@electric-sql/pglite';
import type { EmbeddedQueryOptions } from './embedded-database.js';
import type { WireError } from './thread-protocol.js';

/** What the main side still has of the call that failed: PGlite attaches it to the error. */
export interface FailedCall {
  params?: unknown[];
  options?: EmbeddedQueryOptions;
}

export function reviveError(wire: WireError, call: FailedCall = {}): Error {
  const error = create(wire);
  for (const [key, value] of Object.entries(wire.fields)) {
    // The caller's own values, not the thread's copies (a Buffer arrives as a Uint8Array).
    (error as unknown as Record<string, unknown>)[key] =
      key === 'params' && call.params ? call.params : value;
  }
  if (wire.hadQueryOptions) (error as Error & { queryOptions?: unknown }).queryOptions = call.options;
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

function create(wire: WireError): Error {
  switch (wire.kind) {
    case 'DatabaseError': {
      const length = typeof wire.fields.length === 'number' ? wire.fields.length : 0;
      return new messages.DatabaseError(wire.message, length, wire.name as messages.DatabaseError['name']);
    }
    case 'TransactionAbortedError':
      return new TransactionAbortedError();
    case 'Error': {
      const error = new Error(wire.message);
      if (wire.name !== 'Error') error.name = wire.name;
      return error;
    }
  }
}

/** The code of a connection failure (SQLSTATE class 08): the store maps it to ERR_STORE_UNAVAILABLE. */
const CONNECTION_FAILURE = '08006';

/** Why every pending and later call fails once the thread is gone without `close()`. */
export function threadGoneError(reason: string, cause?: unknown): Error {
  return Object.assign(new Error(`the embedded database thread ${reason}`, { cause }), {
    code: CONNECTION_FAILURE,
  });
}
