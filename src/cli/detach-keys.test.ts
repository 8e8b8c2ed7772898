import { describe, expect, it } from 'vitest';
import { DetachKeys } from './detach-keys.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('detach keys (Ctrl-P Ctrl-Q)', () => {
  it('detaches on the sequence, within one read or across two', () => {
    expect(new DetachKeys().scan(bytes(0x61, 0x10, 0x11, 0x62))).toEqual({
      forward: bytes(0x61),
      detach: true,
    });
    const keys = new DetachKeys();
    expect(keys.scan(bytes(0x10))).toEqual({ forward: bytes(), detach: false });
    expect(keys.scan(bytes(0x11))).toEqual({ forward: bytes(), detach: true });
  });

  it('passes a Ctrl-P that is not followed by Ctrl-Q through, with the next byte', () => {
    const keys = new DetachKeys();
    expect(keys.scan(bytes(0x10))).toEqual({ forward: bytes(), detach: false });
    expect(keys.scan(bytes(0x61))).toEqual({ forward: bytes(0x10, 0x61), detach: false });
    expect(new DetachKeys().scan(bytes(0x10, 0x10, 0x11))).toEqual({ forward: bytes(0x10), detach: true });
    expect(new DetachKeys().scan(bytes(0x03))).toEqual({ forward: bytes(0x03), detach: false });
  });
});
