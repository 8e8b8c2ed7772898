/**
 * Bytes moved and the rate, on one line of stderr that rewrites itself — only when stderr is a
 * terminal, so that scripts and logs get nothing but their data.
 */
const REDRAW_MS = 200;

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export class TransferProgress {
  #bytes = 0;
  #drawnAt = 0;
  readonly #startedAt = Date.now();
  readonly #enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly total?: number,
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.#enabled = stream.isTTY === true;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Passes `source` through, counting what goes by. */
  async *count(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      this.#bytes += chunk.byteLength;
      this.#draw(false);
      yield chunk;
    }
  }

  /** The last figures, and a newline: the line stays. */
  finish(): void {
    this.#draw(true);
    if (this.#enabled) process.stderr.write('\n');
  }

  /** Clears the line (the error that follows says what happened). */
  abandon(): void {
    if (this.#enabled) process.stderr.write('\r\x1b[K');
  }

  #draw(force: boolean): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (!force && now - this.#drawnAt < REDRAW_MS) return;
    this.#drawnAt = now;
    const seconds = Math.max((now - this.#startedAt) / 1000, 0.001);
    const of = this.total !== undefined ? ` / ${formatBytes(this.total)}` : '';
    const rate = `${formatBytes(this.#bytes / seconds)}/s`;
    process.stderr.write(`\r\x1b[K${this.label}  ${formatBytes(this.#bytes)}${of}  ${rate}`);
  }
}
