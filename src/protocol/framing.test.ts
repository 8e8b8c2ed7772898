import { describe, expect, it } from 'vitest';
import { isAetherError } from '../core/errors.js';
import { type DecodedEvent, encodeFrame, encodeSync, FrameDecoder } from './framing.js';

const values = (events: DecodedEvent[]) =>
  events.map((e) => (e.kind === 'frame' ? e.value : e.kind === 'invalid' ? e.error : e));

describe('frame encoding', () => {
  it('prefixes the UTF-8 JSON body with its big-endian length', () => {
    const frame = encodeFrame({ type: 'ping', id: 'é' });
    const body = Buffer.from(JSON.stringify({ type: 'ping', id: 'é' }), 'utf8');
    expect(frame.readUInt32BE(0)).toBe(body.length);
    expect(frame.subarray(4).equals(body)).toBe(true);
  });

  it('refuses to encode a frame over the cap', () => {
    expect(() => encodeFrame({ data: 'x'.repeat(100) }, 50)).toThrow(/exceeds 50/);
  });
});

describe('binary data frames', () => {
  const bytes = Buffer.from([0, 255, 1, 254, 0xff, 0xff, 0xff, 0xff, 123]);

  it('carry a data chunk as its bytes on a socket, and as base64 in JSON otherwise', () => {
    const message = { type: 'data', id: 'up-1', data: bytes, end: true as const };
    const binary = encodeFrame(message, undefined, { binaryData: true });
    // Length, tag, flags, id length, id, bytes: no base64, no JSON.
    expect(binary.length).toBe(4 + 3 + 4 + bytes.length);
    expect(values(new FrameDecoder().push(binary))).toEqual([message]);
    const json = encodeFrame(message);
    expect(JSON.parse(json.subarray(4).toString())).toEqual({ ...message, data: bytes.toString('base64') });
  });

  it('arrive whole however the stream is cut, between JSON frames', () => {
    const stream = Buffer.concat([
      encodeFrame({ type: 'ping', id: 'a' }),
      encodeFrame({ type: 'data', id: 'b', data: bytes }, undefined, { binaryData: true }),
      encodeFrame({ type: 'data', id: 'b', data: Buffer.alloc(0), end: true }, undefined, {
        binaryData: true,
      }),
    ]);
    const decoder = new FrameDecoder();
    const events: DecodedEvent[] = [];
    for (const byte of stream) events.push(...decoder.push(Buffer.from([byte])));
    expect(values(events)).toEqual([
      { type: 'ping', id: 'a' },
      { type: 'data', id: 'b', data: bytes },
      { type: 'data', id: 'b', data: Buffer.alloc(0), end: true },
    ]);
  });

  it('are refused on a serial line and when malformed, without losing the stream', () => {
    const frame = encodeFrame({ type: 'data', id: 'x', data: Buffer.from('abc') }, undefined, {
      binaryData: true,
    });
    const serial = new FrameDecoder({ resync: true });
    serial.push(encodeSync(Buffer.alloc(16, 1)));
    expect(values(serial.push(frame))).toEqual(['binary frames are not used on a serial line']);
    const body = (bytes: number[]) => {
      const b = Buffer.from(bytes);
      const header = Buffer.alloc(4);
      header.writeUInt32BE(b.length);
      return Buffer.concat([header, b]);
    };
    const decoder = new FrameDecoder();
    expect(
      values(
        decoder.push(
          Buffer.concat([body([0, 2, 0]), body([0, 0, 9, 65]), encodeFrame({ type: 'ping', id: 'p' })]),
        ),
      ),
    ).toEqual([
      'unknown binary frame flags 2',
      'binary frame shorter than its id',
      { type: 'ping', id: 'p' },
    ]);
  });
});

describe('FrameDecoder', () => {
  const messages = [
    { type: 'ping', id: '1' },
    { type: 'ok', id: '2', note: 'ünïcödé ✓' },
    { type: 'pong', id: '3' },
  ];
  const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));

  it('decodes coalesced frames from one chunk', () => {
    expect(values(new FrameDecoder().push(stream))).toEqual(messages);
  });

  it('decodes frames split at every byte, including inside headers and multi-byte characters', () => {
    const decoder = new FrameDecoder();
    const out: unknown[] = [];
    for (const byte of stream) out.push(...values(decoder.push(Uint8Array.of(byte))));
    expect(out).toEqual(messages);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('decodes frames split across chunk boundaries of any size', () => {
    for (const size of [2, 3, 5, 7, 16, 33]) {
      const decoder = new FrameDecoder();
      const out: unknown[] = [];
      for (let i = 0; i < stream.length; i += size)
        out.push(...values(decoder.push(stream.subarray(i, i + size))));
      expect(out).toEqual(messages);
    }
  });

  it('rejects an oversized frame as soon as its header arrives, before buffering the body', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 1024 });
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025, 0);
    let error: unknown;
    try {
      decoder.push(header);
    } catch (e) {
      error = e;
    }
    expect(isAetherError(error, 'ERR_AGENT_PROTOCOL')).toBe(true);
    expect(decoder.pendingBytes).toBe(0);
    // The stream is out of sync: everything after is refused too.
    expect(() => decoder.push(encodeFrame({ type: 'ping', id: '1' }))).toThrow(/broken/);
  });

  it('rejects a 4 GiB length and an empty frame', () => {
    expect(() => new FrameDecoder().push(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow(/exceeds/);
    expect(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 0]))).toThrow(/empty frame/);
  });

  it('reports a non-JSON body without losing sync', () => {
    const bad = Buffer.from('{not json', 'utf8');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(bad.length, 0);
    const frames = new FrameDecoder().push(Buffer.concat([header, bad, encodeFrame({ id: 'after' })]));
    expect(frames[0]?.kind).toBe('invalid');
    expect(frames[1]).toEqual({ kind: 'frame', value: { id: 'after' } });
  });

  it('accepts a frame exactly at the cap', () => {
    const message = { data: 'x'.repeat(100) };
    const frame = encodeFrame(message);
    const decoder = new FrameDecoder({ maxFrameBytes: frame.length - 4 });
    expect(values(decoder.push(frame))).toEqual([message]);
  });
});

describe('SYNC marker', () => {
  const nonce = Buffer.from('0123456789abcdef');

  it('is four 0xFF bytes then the nonce, which may not hold 0xFF', () => {
    const marker = encodeSync(nonce);
    expect(marker.subarray(0, 4).equals(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toBe(true);
    expect(marker.subarray(4).equals(nonce)).toBe(true);
    expect(() => encodeSync(Buffer.alloc(15))).toThrow(/16 bytes/);
    expect(() => encodeSync(Buffer.alloc(16, 0xff))).toThrow(/0xFF/);
  });
});

describe('FrameDecoder in resync mode', () => {
  const nonce = Buffer.from('fedcba9876543210');
  const marker = encodeSync(nonce);
  const ping = { type: 'ping', id: 'p' };
  const resync = (maxFrameBytes?: number) =>
    new FrameDecoder(maxFrameBytes === undefined ? { resync: true } : { resync: true, maxFrameBytes });
  /** Feeds `bytes` in chunks of `size` and collects every event. */
  const feed = (decoder: FrameDecoder, bytes: Buffer, size = bytes.length) => {
    const events: DecodedEvent[] = [];
    for (let i = 0; i < bytes.length; i += size) events.push(...decoder.push(bytes.subarray(i, i + size)));
    return events;
  };
  const kinds = (events: DecodedEvent[]) => events.map((e) => e.kind);
  const dropped = (events: DecodedEvent[]) =>
    events.reduce((n, e) => n + (e.kind === 'discarded' ? e.bytes : 0), 0);

  it('decodes clean frames exactly like strict mode', () => {
    const stream = Buffer.concat([encodeFrame(ping), encodeFrame({ id: 'ü' })]);
    expect(values(feed(resync(), stream, 1))).toEqual([ping, { id: 'ü' }]);
  });

  it('reports a marker found where a header is expected, then decodes what follows', () => {
    const events = feed(resync(), Buffer.concat([encodeFrame(ping), marker, encodeFrame(ping)]));
    expect(events).toEqual([
      { kind: 'frame', value: ping },
      { kind: 'sync', nonce },
      { kind: 'frame', value: ping },
    ]);
  });

  it('finds a marker split across chunks at every boundary', () => {
    const stream = Buffer.concat([Buffer.from('junk'), marker, encodeFrame(ping)]);
    for (const size of [1, 2, 3, 5, 7, 19]) {
      const events = feed(resync(), stream, size);
      expect(events.filter((e) => e.kind !== 'discarded')).toEqual([
        { kind: 'sync', nonce },
        { kind: 'frame', value: ping },
      ]);
      expect(dropped(events)).toBe(4);
    }
  });

  it('drops a partial frame at a 0xFF in its body and resumes at the marker it belongs to', () => {
    const frame = encodeFrame({ type: 'exec', id: 'x', argv: ['echo', 'a long argument'] });
    const half = frame.subarray(0, 20);
    const events = feed(resync(), Buffer.concat([half, marker, encodeFrame(ping)]));
    expect(events[0]).toMatchObject({ kind: 'discarded', reason: 'corrupt', bytes: 20 });
    expect(events.slice(1)).toEqual([
      { kind: 'sync', nonce },
      { kind: 'frame', value: ping },
    ]);
  });

  it('keeps the 0xFF that ended a bogus header: "00 00" then a marker is still a marker', () => {
    for (const prefix of [[0x00], [0x00, 0x00], [0x00, 0x00, 0x00]]) {
      const events = feed(resync(), Buffer.concat([Buffer.from(prefix), marker, encodeFrame(ping)]));
      expect(events.filter((e) => e.kind !== 'discarded')).toEqual([
        { kind: 'sync', nonce },
        { kind: 'frame', value: ping },
      ]);
      expect(dropped(events)).toBe(prefix.length);
    }
  });

  it('recovers from oversized and empty lengths at the next marker', () => {
    const decoder = resync(1024);
    const oversized = Buffer.from([0x00, 0x00, 0x04, 0x01]); // 1025 bytes
    const events = feed(decoder, Buffer.concat([oversized, Buffer.from('x'.repeat(50)), encodeFrame(ping)]));
    expect(events[0]).toMatchObject({ kind: 'discarded', reason: 'oversized', bytes: 1 });
    // Until a marker comes, even a valid frame is skipped: its boundaries cannot be trusted.
    expect(kinds(events)).not.toContain('frame');
    expect(decoder.pendingBytes).toBe(0);
    expect(values(feed(decoder, Buffer.concat([marker, encodeFrame(ping)])))).toEqual([
      { kind: 'sync', nonce },
      ping,
    ]);
    const empty = feed(resync(), Buffer.concat([Buffer.alloc(4), marker, encodeFrame(ping)]));
    expect(empty[0]).toMatchObject({ kind: 'discarded', reason: 'empty' });
    expect(values(empty.filter((e) => e.kind !== 'discarded'))).toEqual([{ kind: 'sync', nonce }, ping]);
  });

  it('treats a 4 GiB length (0xFF×4) as the start of a marker, not an error', () => {
    const events = feed(resync(), Buffer.concat([marker, encodeFrame(ping)]));
    expect(kinds(events)).toEqual(['sync', 'frame']);
  });

  it('does not take 0xFF×4 followed by a 0xFF-bearing "nonce" for a marker, and finds the real one', () => {
    const fake = Buffer.concat([Buffer.alloc(4, 0xff), Buffer.from('abc'), Buffer.alloc(2, 0xff)]);
    const events = feed(resync(), Buffer.concat([fake, marker, encodeFrame(ping)]), 3);
    expect(events.filter((e) => e.kind !== 'discarded')).toEqual([
      { kind: 'sync', nonce },
      { kind: 'frame', value: ping },
    ]);
    expect(dropped(events)).toBe(fake.length);
  });

  it('uses the last four 0xFF of a longer run: stray 0xFF before a marker do not shift its nonce', () => {
    const events = feed(resync(), Buffer.concat([Buffer.alloc(3, 0xff), marker, encodeFrame(ping)]), 2);
    expect(events.filter((e) => e.kind !== 'discarded')).toEqual([
      { kind: 'sync', nonce },
      { kind: 'frame', value: ping },
    ]);
    expect(dropped(events)).toBe(3);
  });

  it('drops garbage that is not a header, merging the drops it reports', () => {
    const decoder = resync();
    const events = feed(decoder, Buffer.from('hello, this is not a frame'));
    expect(events).toEqual([
      { kind: 'discarded', bytes: 26, reason: 'garbage', message: 'bytes outside any frame' },
    ]);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('holds at most a marker prefix while waiting, whatever the garbage', () => {
    const decoder = resync();
    feed(decoder, Buffer.concat([Buffer.from('zz'), Buffer.alloc(1000, 0xff)]));
    expect(decoder.pendingBytes).toBe(4);
    expect(kinds(feed(decoder, Buffer.concat([nonce, encodeFrame(ping)])))).toEqual(['sync', 'frame']);
  });

  it('still reports a non-JSON body of valid length without losing sync', () => {
    const bad = Buffer.from('{not json', 'utf8');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(bad.length, 0);
    expect(kinds(feed(resync(), Buffer.concat([header, bad, encodeFrame(ping)])))).toEqual([
      'invalid',
      'frame',
    ]);
  });

  it('never throws, whatever it is fed', () => {
    const decoder = resync(4096);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const chunk = Buffer.alloc(random() % 64);
      for (let j = 0; j < chunk.length; j++) chunk[j] = random() % 4 === 0 ? 0xff : random() & 0xff;
      expect(() => decoder.push(chunk)).not.toThrow();
    }
    // And it comes back at the next marker.
    const after = feed(decoder, Buffer.concat([marker, encodeFrame(ping)]));
    expect(after.filter((e) => e.kind !== 'discarded').at(-1)).toEqual({ kind: 'frame', value: ping });
  });
});

describe('FrameDecoder in strict mode (sockets) ignores markers', () => {
  it('rejects a marker as an oversized frame, as before', () => {
    const decoder = new FrameDecoder();
    expect(() => decoder.push(encodeSync(Buffer.from('0123456789abcdef')))).toThrow(/exceeds/);
    expect(() => decoder.push(encodeFrame({ id: 'x' }))).toThrow(/broken/);
  });

  it('passes a 0xFF inside a body through to JSON.parse (an invalid frame, still in sync)', () => {
    const body = Buffer.from([0x7b, 0xff, 0x7d]);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length, 0);
    const events = new FrameDecoder().push(Buffer.concat([header, body, encodeFrame({ id: 'y' })]));
    expect(events.map((e) => e.kind)).toEqual(['invalid', 'frame']);
  });
});
