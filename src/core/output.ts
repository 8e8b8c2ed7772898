/**
 * An execution's output as it flows: numbered chunks of bytes. The worker numbers them, publishes
 * each at once on the event bus and stores them in batches; readers replay the store and follow
 * the bus, and tell the two apart by `seq`.
 */
import type { WireError } from './errors.js';
import type { ExecutionRecord } from './execution.js';

export const OUTPUT_STREAMS = ['stdout', 'stderr'] as const;
export type OutputStream = (typeof OUTPUT_STREAMS)[number];

export interface OutputChunk {
  /** Order of the chunk among all of its execution's output (both streams), from 1, no gaps. */
  seq: number;
  stream: OutputStream;
  /** Where the chunk starts within its own stream, in bytes. */
  offset: number;
  /** The bytes exactly as the command wrote them (output is not always UTF-8). */
  data: Uint8Array;
}

/**
 * What a reader of an execution's output gets, in order: its chunks by seq, then one end: `end`
 * when the execution is complete (its record holds the exit code, or the error that ended it), or
 * `failed` when its task ended without ever recording it (the error says why).
 */
export type OutputEvent =
  | ({ type: 'chunk' } & OutputChunk)
  | { type: 'end'; execution: ExecutionRecord }
  | { type: 'failed'; error: WireError };

/**
 * The text an execution record keeps for a stream, from the bytes of its chunks: UTF-8 with
 * U+FFFD for invalid sequences (WHATWG decoding). The store further replaces NUL, which
 * PostgreSQL text cannot hold, with U+FFFD.
 */
export function outputText(bytes: Uint8Array): string {
  // ignoreBOM keeps a leading byte-order mark as U+FEFF: it is output like any other.
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}
