import type { ExecutionRecord } from '../../core/execution.js';
import type { OutputChunk } from '../../core/output.js';

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
