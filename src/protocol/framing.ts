/**
 * Length-prefixed frames: 4-byte big-endian length, then UTF-8 JSON. The decoder is streaming:
 * a chunk may hold part of a frame, several frames, or both, and an oversized length is refused
 * as soon as its 4-byte prefix arrives, before any of its body is buffered.
 */
import { AetherError } from '../core/errors.js';
import { MAX_FRAME_BYTES } from './messages.js';

const HEADER_BYTES = 4;

/** A stream-level violation: the connection cannot be trusted to stay in sync after it. */
export class FrameError extends AetherError {
  constructor(message: string) {
    super('ERR_AGENT_PROTOCOL', message);
  }
}

/** Encodes one message; throws ERR_BODY_TOO_LARGE if it would exceed the frame cap. */
export function encodeFrame(message: object, maxFrameBytes: number = MAX_FRAME_BYTES): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > maxFrameBytes) {
    throw new AetherError('ERR_BODY_TOO_LARGE', `frame of ${body.length} bytes exceeds ${maxFrameBytes}`);
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, HEADER_BYTES);
  return frame;
}

/** One decoded frame: its JSON value, or the parse failure (the stream itself is still in sync). */
export type DecodedFrame = { ok: true; value: unknown } | { ok: false; error: string };

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Body length of the frame being read, once its header is in. */
  private expected: number | null = null;
  private broken = false;

  constructor(private readonly maxFrameBytes: number = MAX_FRAME_BYTES) {}

  /**
   * Feeds bytes and returns every frame they complete. Throws FrameError on an oversized or
   * empty frame; after that the decoder refuses further input (the stream is out of sync).
   */
  push(chunk: Uint8Array): DecodedFrame[] {
    if (this.broken) throw new FrameError('decoder is broken by an earlier framing error');
    if (chunk.length > 0) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
    const frames: DecodedFrame[] = [];
    for (;;) {
      if (this.expected === null) {
        if (this.buffered < HEADER_BYTES) break;
        const length = this.take(HEADER_BYTES).readUInt32BE(0);
        if (length === 0 || length > this.maxFrameBytes) {
          this.broken = true;
          this.chunks = [];
          this.buffered = 0;
          throw new FrameError(
            length === 0 ? 'empty frame' : `frame of ${length} bytes exceeds ${this.maxFrameBytes}`,
          );
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      const body = this.take(this.expected);
      this.expected = null;
      frames.push(parseBody(body));
    }
    return frames;
  }

  /** Bytes held for an incomplete frame (for tests and diagnostics). */
  get pendingBytes(): number {
    return this.buffered;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}

function parseBody(body: Buffer): DecodedFrame {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch (error) {
    return { ok: false, error: `frame is not JSON: ${(error as Error).message.slice(0, 200)}` };
  }
}
