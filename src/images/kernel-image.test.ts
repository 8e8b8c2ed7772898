import { describe, expect, it } from 'vitest';
import { elfWithNotes } from '../../test/support/elf.js';
import { hasPvhEntry, xzPayloadOffset } from './kernel-image.js';

describe('kernel image', () => {
  it('finds the XZ payload of a bzImage', () => {
    const bzImage = Buffer.concat([
      Buffer.from('MZ setup code'),
      Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 9]),
    ]);
    expect(xzPayloadOffset(bzImage)).toBe(13);
    expect(xzPayloadOffset(Buffer.from('gzip payload \x1f\x8b\x08'))).toBe(-1);
  });

  it('sees the PVH entry note (Xen, type 0x12) that lets microvm boot the ELF kernel directly', () => {
    expect(
      hasPvhEntry(
        elfWithNotes([
          ['GNU', 3],
          ['Xen', 0x12],
        ]),
      ),
    ).toBe(true);
    expect(
      hasPvhEntry(
        elfWithNotes([
          ['Xen', 0x11],
          ['GNU', 0x12],
        ]),
      ),
    ).toBe(false);
    expect(
      hasPvhEntry(Buffer.from('not an ELF file at all, but long enough to have a header of 64 bytes')),
    ).toBe(false);
  });
});
