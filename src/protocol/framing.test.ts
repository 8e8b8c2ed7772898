import { describe, expect, it } from 'vitest';
import { isAetherError } from '../core/errors.js';
import { type DecodedFrame, encodeFrame, FrameDecoder } from './framing.js';

const values = (frames: DecodedFrame[]) => frames.map((f) => (f.ok ? f.value : f.error));

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
    const decoder = new FrameDecoder(1024);
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
    expect(frames[0]?.ok).toBe(false);
    expect(frames[1]).toEqual({ ok: true, value: { id: 'after' } });
  });

  it('accepts a frame exactly at the cap', () => {
    const message = { data: 'x'.repeat(100) };
    const frame = encodeFrame(message);
    const decoder = new FrameDecoder(frame.length - 4);
    expect(values(decoder.push(frame))).toEqual([message]);
  });
});
