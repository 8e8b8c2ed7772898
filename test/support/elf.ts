/** Tiny ELF files for tests of code that reads kernels and modules. */

/**
 * A minimal ELF64 file whose one PT_NOTE segment holds `notes` ([name, type] each, 4-byte
 * descriptions), after `gapBytes` of zeros (a real vmlinux has its notes megabytes in).
 */
export function elfWithNotes(notes: [string, number][], gapBytes = 0): Buffer {
  const body = Buffer.concat(
    notes.map(([name, type]) => {
      const nameBytes = Buffer.from(`${name}\0`);
      const padded = Buffer.concat([nameBytes, Buffer.alloc((4 - (nameBytes.length % 4)) % 4)]);
      const head = Buffer.alloc(12);
      head.writeUInt32LE(nameBytes.length, 0);
      head.writeUInt32LE(4, 4);
      head.writeUInt32LE(type, 8);
      return Buffer.concat([head, padded, Buffer.from([1, 0, 0, 0])]);
    }),
  );
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2;
  header[5] = 1;
  header.writeBigUInt64LE(64n, 0x20); // e_phoff
  header.writeUInt16LE(56, 0x36); // e_phentsize
  header.writeUInt16LE(1, 0x38); // e_phnum
  const phdr = Buffer.alloc(56);
  phdr.writeUInt32LE(4, 0); // PT_NOTE
  phdr.writeBigUInt64LE(BigInt(64 + 56 + gapBytes), 0x08);
  phdr.writeBigUInt64LE(BigInt(body.length), 0x20);
  return Buffer.concat([header, phdr, Buffer.alloc(gapBytes), body]);
}
