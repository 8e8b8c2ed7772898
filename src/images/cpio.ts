/**
 * A writer of the "newc" cpio format, the one the Linux kernel unpacks as an initramfs: per
 * entry a 110-byte ASCII header (`070701` and thirteen 8-digit hex fields), the name with its
 * NUL, padded to 4 bytes, then the data, padded to 4 bytes; a `TRAILER!!!` entry ends it.
 * Output is reproducible: owner root, mtime 0, inode numbers in entry order.
 */

export type CpioEntry =
  | { type: 'dir'; name: string; mode?: number }
  | { type: 'file'; name: string; data: Uint8Array | string; mode?: number }
  | { type: 'symlink'; name: string; target: string }
  | { type: 'char'; name: string; major: number; minor: number; mode?: number };

const MAGIC = '070701';
const TRAILER = 'TRAILER!!!';
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new RangeError(`cpio: field value ${value} does not fit in 32 bits`);
  return value.toString(16).padStart(8, '0');
}

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

interface RawEntry {
  name: string;
  mode: number;
  nlink: number;
  data: Buffer;
  rdevMajor: number;
  rdevMinor: number;
}

function header(entry: RawEntry, ino: number): Buffer {
  const fields = [
    ino,
    entry.mode,
    0, // uid
    0, // gid
    entry.nlink,
    0, // mtime
    entry.data.length,
    0, // devmajor
    0, // devminor
    entry.rdevMajor,
    entry.rdevMinor,
    Buffer.byteLength(entry.name) + 1,
    0, // check (only the "070702" format has one)
  ];
  return Buffer.from(MAGIC + fields.map(hex8).join(''), 'ascii');
}

function raw(entry: CpioEntry): RawEntry {
  const name = entry.name.replace(/^\/+/, '');
  if (name === '' || name.includes('\0'))
    throw new Error(`cpio: bad entry name ${JSON.stringify(entry.name)}`);
  const base = { name, nlink: 1, data: Buffer.alloc(0), rdevMajor: 0, rdevMinor: 0 };
  switch (entry.type) {
    case 'dir':
      return { ...base, mode: S_IFDIR | (entry.mode ?? 0o755), nlink: 2 };
    case 'file':
      return { ...base, mode: S_IFREG | (entry.mode ?? 0o644), data: Buffer.from(entry.data) };
    case 'symlink':
      return { ...base, mode: S_IFLNK | 0o777, data: Buffer.from(entry.target) };
    case 'char':
      return {
        ...base,
        mode: S_IFCHR | (entry.mode ?? 0o600),
        rdevMajor: entry.major,
        rdevMinor: entry.minor,
      };
  }
}

/**
 * The archive of `entries`, in order (a directory must come before what it holds: the kernel
 * creates each entry as it reads it). Leading slashes of names are dropped.
 */
export function createCpioArchive(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const append = (entry: RawEntry, ino: number) => {
    const head = header(entry, ino);
    const name = Buffer.from(`${entry.name}\0`);
    parts.push(head, name, pad4(head.length + name.length), entry.data, pad4(entry.data.length));
  };
  entries.forEach((entry, index) => {
    append(raw(entry), index + 1);
  });
  append({ name: TRAILER, mode: 0, nlink: 1, data: Buffer.alloc(0), rdevMajor: 0, rdevMinor: 0 }, 0);
  return Buffer.concat(parts);
}

/** An entry read back from a newc archive. */
export interface CpioMember {
  name: string;
  /** st_mode: type and permission bits. */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  rdevMajor: number;
  rdevMinor: number;
  data: Buffer;
}

/** Reads a newc archive back, up to its trailer (to check what was written; the kernel does the real reading). */
export function parseCpioArchive(archive: Buffer): CpioMember[] {
  const members: CpioMember[] = [];
  let at = 0;
  for (;;) {
    if (archive.toString('ascii', at, at + 6) !== MAGIC)
      throw new Error(`cpio: no newc header at byte ${at}`);
    const field = (index: number) =>
      Number.parseInt(archive.toString('ascii', at + 6 + index * 8, at + 14 + index * 8), 16);
    const nameSize = field(11);
    const fileSize = field(6);
    const name = archive.toString('utf8', at + 110, at + 110 + nameSize - 1);
    const dataAt = at + 110 + nameSize + pad4(110 + nameSize).length;
    if (name === TRAILER) return members;
    members.push({
      name,
      mode: field(1),
      uid: field(2),
      gid: field(3),
      nlink: field(4),
      mtime: field(5),
      rdevMajor: field(9),
      rdevMinor: field(10),
      data: archive.subarray(dataAt, dataAt + fileSize),
    });
    at = dataAt + fileSize + pad4(fileSize).length;
  }
}
