import { outputText } from '../core/output.js';

/**
 * Keeps the first `limitBytes` of a stream and remembers whether anything was cut. Works on bytes,
 * so the part it keeps of each chunk is exactly what is stored and streamed as that chunk, and
 * the text of the record is the text of those bytes (`outputText`).
 */
export class OutputCollector {
  private readonly parts: Buffer[] = [];
  private keptBytes = 0;
  truncated = false;

  constructor(private readonly limitBytes: number) {}

  /** The part of `chunk` kept (empty once the limit is reached), copied: callers may reuse theirs. */
  push(chunk: Uint8Array): Buffer {
    const room = this.limitBytes - this.keptBytes;
    let keep = Math.min(chunk.byteLength, Math.max(room, 0));
    if (keep < chunk.byteLength) {
      if (chunk.byteLength > 0) this.truncated = true;
      keep = characterBoundary(chunk, keep);
    }
    const kept = Buffer.from(chunk.subarray(0, keep));
    if (kept.byteLength > 0) {
      this.parts.push(kept);
      this.keptBytes += kept.byteLength;
    }
    return kept;
  }

  text(): string {
    return outputText(Buffer.concat(this.parts));
  }
}

/**
 * `end`, moved back to the start of a UTF-8 character that would be cut in two there, so a capped
 * record never ends in half a character. Only within this chunk: a character begun in an earlier
 * chunk is already stored as it was.
 */
function characterBoundary(bytes: Uint8Array, end: number): number {
  for (let start = end - 1; start >= Math.max(0, end - 3); start--) {
    const byte = bytes[start]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: its lead is further back
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return start + length > end ? start : end;
  }
  return end;
}
