import type { WireError } from '../core/errors.js';
import type { ExecutionRecord } from '../core/execution.js';
import type { OutputChunk, OutputStream } from '../core/output.js';
import { executionJson } from './serialize.js';

/** A piece of output: `data` is base64 of the exact bytes, `offset` their place in `stream`. */
export interface ChunkMessage {
  type: 'chunk';
  stream: OutputStream;
  seq: number;
  offset: number;
  data: string;
}

/** The command ended: its exit code (null when killed, e.g. at its timeout) and the record. */
export interface ExitMessage {
  type: 'exit';
  exit_code: number | null;
  timed_out: boolean;
  execution: ReturnType<typeof executionJson>;
}

/**
 * The stream ends without an exit. `scope: 'execution'` is what became of the command (it could
 * not start, its worker died, ...): final, a reconnect replays the same. `scope: 'stream'` is this
 * stream failing (the gateway is shutting down, the store is unreachable): reconnect with
 * `after_seq` to go on.
 */
export interface ErrorMessage extends WireError {
  type: 'error';
  scope: 'execution' | 'stream';
}

/** One message of an execution stream, over WebSocket (a text frame each) or SSE (an event each). */
export type StreamMessage = ChunkMessage | ExitMessage | ErrorMessage;

export function chunkMessage(chunk: OutputChunk): ChunkMessage {
  return {
    type: 'chunk',
    stream: chunk.stream,
    seq: chunk.seq,
    offset: chunk.offset,
    data: Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength).toString('base64'),
  };
}

/** How a complete execution's stream ends: `exit`, or `error` when it has an error. */
export function endMessage(execution: ExecutionRecord): ExitMessage | ErrorMessage {
  if (execution.error) return { type: 'error', scope: 'execution', ...execution.error };
  return {
    type: 'exit',
    exit_code: execution.exitCode,
    timed_out: execution.timedOut,
    execution: executionJson(execution),
  };
}

export function errorMessage(error: WireError, scope: ErrorMessage['scope']): ErrorMessage {
  return { type: 'error', scope, ...error };
}

/** Chunk size of the output of executions recorded before chunks were stored. */
const LEGACY_CHUNK_BYTES = 64 * 1024;

/**
 * Chunks for an execution recorded before chunks were stored: its stored stdout, then its stderr
 * (their interleaving was not kept), cut into pieces, numbered as chunks are.
 */
export function legacyChunks(execution: ExecutionRecord): OutputChunk[] {
  const chunks: OutputChunk[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const bytes = Buffer.from(execution[stream], 'utf8');
    for (let offset = 0; offset < bytes.byteLength; offset += LEGACY_CHUNK_BYTES) {
      const data = bytes.subarray(offset, offset + LEGACY_CHUNK_BYTES);
      chunks.push({ seq: chunks.length + 1, stream, offset, data });
    }
  }
  return chunks;
}
