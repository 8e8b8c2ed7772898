/**
 * Feeds an incoming byte stream to a tar parser with backpressure: the next chunk is pulled from
 * the sender only once the parser has room, and the parser has room only once the file being
 * extracted took its bytes. Records what went wrong on either side so that the caller can tell
 * a cut transfer from a malformed archive.
 */
import type { Extract } from 'tar-stream';
import { AetherError } from '../../core/errors.js';

export class ArchiveFeed {
  /** Bytes handed to the parser so far. */
  bytes = 0;
  /** Set when the sender's stream threw (the connection was cut). */
  sourceError: unknown;
  /** The parser's first error (a malformed header, or data that ended early). */
  parserError: unknown;
  /** Settles (never rejects) once the source is exhausted or the parser is gone. */
  readonly done: Promise<void>;

  constructor(source: AsyncIterable<Uint8Array>, extract: Extract) {
    extract.on('error', (error: unknown) => {
      this.parserError ??= error;
    });
    const closed = new Promise<'closed'>((resolve) => extract.once('close', () => resolve('closed')));
    this.done = this.run(source, extract, closed);
  }

  private async run(source: AsyncIterable<Uint8Array>, extract: Extract, closed: Promise<'closed'>) {
    const iterator = source[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), closed]);
        if (next === 'closed') break;
        if (next.done) {
          extract.end();
          return;
        }
        this.bytes += next.value.byteLength;
        if (!extract.write(next.value)) {
          const drained = new Promise<'drain'>((resolve) => extract.once('drain', () => resolve('drain')));
          if ((await Promise.race([drained, closed])) === 'closed') break;
        }
      }
      // The parser stopped (a refused entry, a failed write): stop pulling from the sender.
      iterator.return?.().catch(() => {});
    } catch (error) {
      this.sourceError = error;
      extract.destroy(
        new AetherError('ERR_TRANSFER_ABORTED', 'the archive stream was cut before its end', {
          cause: error,
        }),
      );
    }
  }
}
