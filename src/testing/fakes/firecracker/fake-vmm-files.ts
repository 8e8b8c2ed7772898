/**
 * Test support: the files the fake Firecracker is pointed at, seen as the VMM would see them:
 * inside the jail's chroot when there is one, and opened as the jailed uid/gid (so a file the
 * driver forgot to hand to that uid is refused, as it would be by a real jailed Firecracker).
 */
import { constants, type Stats, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Fault } from './fake-api-transport.js';

export type FileAccess = 'read' | 'write' | 'readwrite';

export class FakeVmmFiles {
  constructor(
    private readonly root: string | null,
    private readonly owner: { uid: number; gid: number } | null,
  ) {}

  /** A path as the VMM names it, on the host: inside the jail when there is one. */
  hostPath(path: string): string {
    return this.root ? join(this.root, resolve('/', path)) : resolve(path);
  }

  /** Refuses a file the VMM is to create in a directory that is missing or that its uid cannot write. */
  needParent(path: string, what: string): void {
    const parent = dirname(this.hostPath(path));
    let info: Stats;
    try {
      info = statSync(parent);
    } catch {
      throw new Fault(`${what}: No such file or directory (os error 2): ${path}`);
    }
    const owner = this.owner;
    if (!owner) return;
    const wx = (w: number, x: number) => (info.mode & (w | x)) === (w | x);
    const allowed =
      (info.uid === owner.uid && wx(constants.S_IWUSR, constants.S_IXUSR)) ||
      (info.gid === owner.gid && wx(constants.S_IWGRP, constants.S_IXGRP)) ||
      wx(constants.S_IWOTH, constants.S_IXOTH);
    if (!allowed) throw new Fault(`${what}: Permission denied (os error 13): ${path} (as uid ${owner.uid})`);
  }

  /** Refuses (with Firecracker's wording) a file that is missing or that the VMM's uid cannot use. */
  need(path: string, access: FileAccess, what: string): void {
    let info: Stats;
    try {
      info = statSync(this.hostPath(path));
    } catch {
      throw new Fault(`${what}: No such file or directory (os error 2): ${path}`);
    }
    const owner = this.owner;
    if (!owner) return;
    const wanted = (read: number, write: number) =>
      (access === 'write' ? 0 : read) | (access === 'read' ? 0 : write);
    const grants = (read: number, write: number) => (info.mode & wanted(read, write)) === wanted(read, write);
    const allowed =
      (info.uid === owner.uid && grants(constants.S_IRUSR, constants.S_IWUSR)) ||
      (info.gid === owner.gid && grants(constants.S_IRGRP, constants.S_IWGRP)) ||
      grants(constants.S_IROTH, constants.S_IWOTH);
    if (!allowed) throw new Fault(`${what}: Permission denied (os error 13): ${path} (as uid ${owner.uid})`);
  }
}
