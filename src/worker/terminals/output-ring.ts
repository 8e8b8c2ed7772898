/**
 * The last bytes a terminal printed, replayed to a client that attaches (or re-attaches), so it
 * sees the screen's recent state rather than a blank one. Bounded: older bytes fall off.
 */
export class OutputRing {
  private chunks: Uint8Array[] = [];
  private bytes = 0;

  constructor(private readonly capacity: number) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    // Copied: the caller may reuse its buffer.
    this.chunks.push(Uint8Array.from(chunk));
    this.bytes += chunk.length;
    while (this.bytes > this.capacity && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.bytes - this.capacity;
      if (first.length <= excess) {
        this.chunks.shift();
        this.bytes -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.bytes -= excess;
      }
    }
  }

  /** Everything kept, oldest first, as one chunk. */
  contents(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
