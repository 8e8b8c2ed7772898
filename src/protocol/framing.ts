/**
 * Length-prefixed frames: 4-byte big-endian length, then UTF-8 JSON. The decoder is streaming:
 * a chunk may hold part of a frame, several frames, or both, and an oversized length is refused
 * as soon as its 4-byte prefix arrives, before any of its body is buffered.
 *
 * Two modes:
 * - strict (default; sockets): a connection has a clean start, so a bad length means the peer is
 *   broken. The decoder throws FrameError and refuses everything after it.
 * - resync (byte streams with no connection semantics: a virtio-serial port): either side may
 *   see stale or partial frames after the other restarts. A SYNC marker — 0xFF×4 then a 16-byte
 *   nonce with no 0xFF in it — restores frame boundaries. Two facts make it findable anywhere:
 *   a valid header's first byte is 0x00 (frames are far below 16 MiB), and UTF-8 JSON never
 *   holds 0xFF. So a bad length, a header not starting with 0x00, or a 0xFF inside a body proves
 *   the bytes are garbage: they are dropped (reported as `discarded`) and the decoder scans for
 *   the next marker (reported as `sync`), after which every byte is a fresh frame.
 */
import { AetherError } from '../core/errors.js';
import { MAX_FRAME_BYTES } from './messages.js';

const HEADER_BYTES = 4;
const MARKER_BYTE = 0xff;
const MARKER_RUN = 4;
/** Length of the nonce that follows the four 0xFF bytes of a SYNC marker. */
export const SYNC_NONCE_BYTES = 16;

/** A stream-level violation: the connection cannot be trusted to stay in sync after it. */
export class FrameError extends AetherError {
  constructor(message: string) {
    super('ERR_AGENT_PROTOCOL', message);
  }
}

/**
 * First byte of a binary `data` frame's body. A JSON body starts with `{`, so the two never
 * meet. Only on a connection (strict mode): a serial line's resync needs bodies free of 0xFF,
 * which file bytes are not, so there `data` travels as base64 in JSON.
 */
const BINARY_DATA_TAG = 0x00;
const BINARY_END_FLAG = 0x01;
/** Tag, flags and id length: the bytes before the id in a binary `data` body. */
const BINARY_PREFIX_BYTES = 3;

/** A `data` message as both ends hold it: bytes, not base64. */
interface DataFrame {
  type: 'data';
  id: string;
  data: Uint8Array;
  end?: true;
}

function isDataFrame(message: object): message is DataFrame {
  return (
    (message as { type?: unknown }).type === 'data' &&
    (message as { data?: unknown }).data instanceof Uint8Array
  );
}

export interface EncodeOptions {
  /** Send `data` messages as binary frames (a socket); default false (base64 in JSON). */
  binaryData?: boolean;
}

/**
 * Encodes one message; throws ERR_BODY_TOO_LARGE if it would exceed the frame cap. A `data`
 * message is a binary frame when `binaryData` is set: a stream's bytes then cost one copy
 * instead of base64 and JSON at both ends (which took most of a transfer's CPU).
 */
export function encodeFrame(
  message: object,
  maxFrameBytes: number = MAX_FRAME_BYTES,
  options: EncodeOptions = {},
): Buffer {
  if (isDataFrame(message)) {
    if (options.binaryData) return encodeBinaryData(message, maxFrameBytes);
    message = { ...message, data: Buffer.from(message.data).toString('base64') };
  }
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > maxFrameBytes) {
    throw new AetherError('ERR_BODY_TOO_LARGE', `frame of ${body.length} bytes exceeds ${maxFrameBytes}`);
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, HEADER_BYTES);
  return frame;
}

function encodeBinaryData(message: DataFrame, maxFrameBytes: number): Buffer {
  const id = Buffer.from(message.id, 'utf8');
  if (id.length > 255) throw new AetherError('ERR_VALIDATION', 'a data frame id is at most 255 bytes');
  const length = BINARY_PREFIX_BYTES + id.length + message.data.length;
  if (length > maxFrameBytes) {
    throw new AetherError('ERR_BODY_TOO_LARGE', `frame of ${length} bytes exceeds ${maxFrameBytes}`);
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + length);
  frame.writeUInt32BE(length, 0);
  frame[HEADER_BYTES] = BINARY_DATA_TAG;
  frame[HEADER_BYTES + 1] = message.end ? BINARY_END_FLAG : 0;
  frame[HEADER_BYTES + 2] = id.length;
  id.copy(frame, HEADER_BYTES + BINARY_PREFIX_BYTES);
  frame.set(message.data, HEADER_BYTES + BINARY_PREFIX_BYTES + id.length);
  return frame;
}

/**
 * Encodes a SYNC marker. The nonce must be SYNC_NONCE_BYTES long and hold no 0xFF byte, so the
 * marker's end is unambiguous however many 0xFF bytes of garbage precede it.
 */
export function encodeSync(nonce: Uint8Array): Buffer {
  if (nonce.length !== SYNC_NONCE_BYTES || nonce.includes(MARKER_BYTE)) {
    throw new AetherError(
      'ERR_VALIDATION',
      `a sync nonce is ${SYNC_NONCE_BYTES} bytes, none of them 0xFF (got ${nonce.length})`,
    );
  }
  const marker = Buffer.alloc(MARKER_RUN + SYNC_NONCE_BYTES, MARKER_BYTE);
  marker.set(nonce, MARKER_RUN);
  return marker;
}

/** One frame: its JSON value, or the parse failure (the stream itself is still in sync). */
export type DecodedFrame = { kind: 'frame'; value: unknown } | { kind: 'invalid'; error: string };

/** A SYNC marker (resync mode only): every byte after it is a fresh frame. */
export interface SyncEvent {
  kind: 'sync';
  nonce: Buffer;
}

/**
 * Why bytes were dropped (resync mode only): `oversized` / `empty` — a header with a length
 * over the cap or of zero; `corrupt` — a 0xFF inside a frame body (a partial frame cut short,
 * most likely by a SYNC marker); `garbage` — bytes that are neither a header nor a marker.
 */
export type DiscardReason = 'oversized' | 'empty' | 'corrupt' | 'garbage';

export interface DiscardEvent {
  kind: 'discarded';
  bytes: number;
  reason: DiscardReason;
  message: string;
}

/** What `push` yields, in stream order. Strict mode yields only frames. */
export type DecodedEvent = DecodedFrame | SyncEvent | DiscardEvent;

export interface FrameDecoderOptions {
  /** Largest body accepted (length prefix excluded). Default MAX_FRAME_BYTES. */
  maxFrameBytes?: number;
  /** Byte-stream mode: recover from garbage at the next SYNC marker instead of failing. */
  resync?: boolean;
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Body length of the frame being read, once its header is in. */
  private expected: number | null = null;
  /** That frame's header (resync: its trailing 0xFF bytes may begin a marker). */
  private header: Buffer | null = null;
  /** Body bytes already checked for 0xFF (resync). */
  private checked = 0;
  /** Resync: dropping bytes until a marker. */
  private scanning = false;
  private broken = false;
  private readonly maxFrameBytes: number;
  private readonly resync: boolean;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.resync = options.resync ?? false;
  }

  /**
   * Feeds bytes and returns what they complete, in order. Strict mode throws FrameError on an
   * oversized or empty frame and then refuses further input (the stream is out of sync); resync
   * mode never throws and reports dropped bytes instead.
   */
  push(chunk: Uint8Array): DecodedEvent[] {
    if (this.broken) throw new FrameError('decoder is broken by an earlier framing error');
    if (chunk.length > 0) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
    const events: DecodedEvent[] = [];
    for (;;) {
      if (this.scanning) {
        if (!this.scan(events)) break;
        continue;
      }
      if (this.expected === null) {
        if (this.buffered === 0) break;
        if (this.resync && this.chunks[0]![0] !== 0x00) {
          // Not a header: a marker if it starts with 0xFF, garbage otherwise (scan sorts it out).
          this.scanning = true;
          continue;
        }
        if (this.buffered < HEADER_BYTES) break;
        const header = this.take(HEADER_BYTES);
        const length = header.readUInt32BE(0);
        if (length === 0 || length > this.maxFrameBytes) {
          const message =
            length === 0 ? 'empty frame' : `frame of ${length} bytes exceeds ${this.maxFrameBytes}`;
          if (!this.resync) {
            this.broken = true;
            this.chunks = [];
            this.buffered = 0;
            throw new FrameError(message);
          }
          // Only the 0x00 is known garbage: the other three bytes may begin a marker.
          this.unshift(header.subarray(1));
          discard(events, 1, length === 0 ? 'empty' : 'oversized', message);
          this.scanning = true;
          continue;
        }
        this.expected = length;
        this.header = header;
        this.checked = 0;
      }
      if (this.resync) {
        const available = Math.min(this.buffered, this.expected);
        const at = this.indexOfMarkerByte(this.checked, available);
        if (at >= 0) {
          this.dropCorruptFrame(at, events);
          continue;
        }
        this.checked = available;
      }
      if (this.buffered < this.expected) break;
      const body = this.take(this.expected);
      this.expected = null;
      this.header = null;
      events.push(parseBody(body, this.resync));
    }
    return events;
  }

  /** Bytes held for an incomplete frame or marker (for tests and diagnostics). */
  get pendingBytes(): number {
    return this.buffered;
  }

  /**
   * Looks for a marker: a run of at least four 0xFF then SYNC_NONCE_BYTES other bytes. Drops
   * what cannot be part of one. Returns false when it needs more input.
   */
  private scan(events: DecodedEvent[]): boolean {
    const all = this.concat();
    const start = all.indexOf(MARKER_BYTE);
    if (start < 0) {
      discard(events, all.length, 'garbage', 'bytes outside any frame');
      this.replace(all.subarray(all.length));
      return false;
    }
    let end = start; // end of the 0xFF run
    while (end < all.length && all[end] === MARKER_BYTE) end++;
    if (end === all.length) {
      // The run may go on in the next chunk; four 0xFF are all a marker needs.
      const keep = Math.min(end - start, MARKER_RUN);
      discard(events, all.length - keep, 'garbage', 'bytes outside any frame');
      this.replace(all.subarray(all.length - keep));
      return false;
    }
    if (end - start < MARKER_RUN) {
      discard(events, end, 'garbage', 'bytes outside any frame');
      this.replace(all.subarray(end));
      return true;
    }
    const nonceEnd = end + SYNC_NONCE_BYTES;
    const stray = all.indexOf(MARKER_BYTE, end);
    if (stray >= 0 && stray < nonceEnd) {
      // A nonce never holds 0xFF: this was not a marker, but the new run may start one.
      discard(events, stray, 'garbage', 'bytes outside any frame');
      this.replace(all.subarray(stray));
      return true;
    }
    discard(events, end - MARKER_RUN, 'garbage', 'bytes outside any frame');
    if (all.length < nonceEnd) {
      this.replace(all.subarray(end - MARKER_RUN));
      return false;
    }
    events.push({ kind: 'sync', nonce: Buffer.from(all.subarray(end, nonceEnd)) });
    this.replace(all.subarray(nonceEnd));
    this.scanning = false;
    return true;
  }

  /**
   * A 0xFF at body offset `at` (the first one: earlier body bytes were checked). The frame was
   * cut short; drop it and rescan from that byte. When it is the body's first byte, the 0xFF
   * that ended the header belong to the same run (a marker after a stray "00 00" is read as the
   * header 00 00 FF FF), so they are handed back to the scan.
   */
  private dropCorruptFrame(at: number, events: DecodedEvent[]): void {
    const header = this.header!;
    let carry = 0;
    if (at === 0) {
      for (let i = HEADER_BYTES - 1; i > 0 && header[i] === MARKER_BYTE; i--) carry++;
    }
    const length = this.expected!;
    if (at > 0) this.take(at);
    if (carry > 0) this.unshift(Buffer.alloc(carry, MARKER_BYTE));
    discard(events, HEADER_BYTES + at - carry, 'corrupt', `0xFF inside the body of a ${length}-byte frame`);
    this.expected = null;
    this.header = null;
    this.checked = 0;
    this.scanning = true;
  }

  /** Offset of the first 0xFF among buffered bytes [from, to), or -1. */
  private indexOfMarkerByte(from: number, to: number): number {
    let base = 0;
    for (const chunk of this.chunks) {
      if (base >= to) break;
      const end = base + chunk.length;
      if (end > from) {
        const at = chunk.subarray(Math.max(0, from - base), Math.min(chunk.length, to - base));
        const hit = at.indexOf(MARKER_BYTE);
        if (hit >= 0) return Math.max(base, from) + hit;
      }
      base = end;
    }
    return -1;
  }

  private concat(): Buffer {
    if (this.chunks.length === 1) return this.chunks[0]!;
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }

  private replace(rest: Buffer): void {
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
  }

  private unshift(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.chunks.unshift(bytes);
    this.buffered += bytes.length;
  }

  private take(n: number): Buffer {
    const all = this.concat();
    this.replace(all.subarray(n));
    return all.subarray(0, n);
  }
}

/** Adds dropped bytes to the events, merged with the previous drop of the same reason. */
function discard(events: DecodedEvent[], bytes: number, reason: DiscardReason, message: string): void {
  if (bytes <= 0) return;
  const last = events.at(-1);
  if (last?.kind === 'discarded' && last.reason === reason) {
    last.bytes += bytes;
    return;
  }
  events.push({ kind: 'discarded', bytes, reason, message });
}

function parseBody(body: Buffer, resync: boolean): DecodedFrame {
  if (body[0] === BINARY_DATA_TAG) {
    if (resync) return { kind: 'invalid', error: 'binary frames are not used on a serial line' };
    return parseBinaryData(body);
  }
  try {
    return { kind: 'frame', value: JSON.parse(body.toString('utf8')) };
  } catch (error) {
    return { kind: 'invalid', error: `frame is not JSON: ${(error as Error).message.slice(0, 200)}` };
  }
}

/** A binary `data` body: tag, flags, id length, id, then the bytes (a view, not a copy). */
function parseBinaryData(body: Buffer): DecodedFrame {
  if (body.length < BINARY_PREFIX_BYTES)
    return { kind: 'invalid', error: 'binary frame shorter than its prefix' };
  const flags = body[1]!;
  const idLength = body[2]!;
  if ((flags & ~BINARY_END_FLAG) !== 0)
    return { kind: 'invalid', error: `unknown binary frame flags ${flags}` };
  if (body.length < BINARY_PREFIX_BYTES + idLength)
    return { kind: 'invalid', error: 'binary frame shorter than its id' };
  const id = body.toString('utf8', BINARY_PREFIX_BYTES, BINARY_PREFIX_BYTES + idLength);
  const value: DataFrame = { type: 'data', id, data: body.subarray(BINARY_PREFIX_BYTES + idLength) };
  if (flags & BINARY_END_FLAG) value.end = true;
  return { kind: 'frame', value };
}
