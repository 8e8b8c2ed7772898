import { StringDecoder } from 'node:string_decoder';

/**
 * Keeps the first `limitBytes` of a stream as text and remembers whether anything was cut.
 * A decoder per stream keeps multi-byte characters whole across chunk boundaries.
 */
export class OutputCollector {
  private readonly decoder = new StringDecoder('utf8');
  private readonly parts: string[] = [];
  private keptBytes = 0;
  truncated = false;

  constructor(private readonly limitBytes: number) {}

  /** Returns the decoded text of the chunk (all of it, also past the limit, for live streams). */
  push(chunk: Uint8Array): string {
    const text = this.decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const room = this.limitBytes - this.keptBytes;
    if (room <= 0) {
      if (chunk.byteLength > 0) this.truncated = true;
      return text;
    }
    if (chunk.byteLength <= room) {
      this.parts.push(text);
      this.keptBytes += chunk.byteLength;
    } else {
      const kept = Buffer.from(text, 'utf8').subarray(0, room).toString('utf8');
      this.parts.push(kept.endsWith('\uFFFD') ? kept.slice(0, -1) : kept);
      this.keptBytes = this.limitBytes;
      this.truncated = true;
    }
    return text;
  }

  text(): string {
    if (!this.truncated) this.parts.push(this.decoder.end());
    return this.parts.join('');
  }
}
