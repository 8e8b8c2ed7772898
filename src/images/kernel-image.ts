/**
 * The kernel a microVM boots. Debian ships a bzImage (`vmlinuz`) whose payload is XZ-compressed;
 * under software emulation (TCG) decompressing it takes seconds before the kernel's first
 * instruction. The payload itself is an ELF `vmlinux` that QEMU's microvm (and Firecracker)
 * boots directly through its PVH entry point, so the builder keeps that uncompressed copy too
 * and the driver boots it: same kernel, no decompression. A kernel without the PVH note, or
 * with another compression, is booted as the bzImage.
 */

/** The magic bytes that open an XZ stream. */
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const PT_NOTE = 4;
/** XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit PVH entry point. */
const PVH_ENTRY_NOTE = 0x12;

/** Where the XZ-compressed kernel starts in a bzImage, or -1 (not XZ). */
export function xzPayloadOffset(bzImage: Uint8Array): number {
  return Buffer.from(bzImage.buffer, bzImage.byteOffset, bzImage.byteLength).indexOf(XZ_MAGIC);
}

/** True when `elf` is a little-endian ELF64 file with a `Xen` note of type PHYS32_ENTRY in a PT_NOTE segment. */
export function hasPvhEntry(elf: Uint8Array): boolean {
  const buf = Buffer.from(elf.buffer, elf.byteOffset, elf.byteLength);
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) return false;
  const phoff = Number(buf.readBigUInt64LE(0x20));
  const phentsize = buf.readUInt16LE(0x36);
  const phnum = buf.readUInt16LE(0x38);
  for (let index = 0; index < phnum; index++) {
    const at = phoff + index * phentsize;
    if (at + 56 > buf.length || buf.readUInt32LE(at) !== PT_NOTE) continue;
    const start = Number(buf.readBigUInt64LE(at + 0x08));
    const end = Math.min(buf.length, start + Number(buf.readBigUInt64LE(at + 0x20)));
    for (let note = start; note + 12 <= end; ) {
      const nameSize = buf.readUInt32LE(note);
      const descSize = buf.readUInt32LE(note + 4);
      const type = buf.readUInt32LE(note + 8);
      const name = buf.toString('latin1', note + 12, note + 12 + Math.max(0, nameSize - 1));
      if (name === 'Xen' && type === PVH_ENTRY_NOTE) return true;
      note += 12 + align4(nameSize) + align4(descSize);
    }
  }
  return false;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
