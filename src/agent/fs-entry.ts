/** FsEntry from what lstat/fstat said. */
import type { Stats } from 'node:fs';
import { readlink } from 'node:fs/promises';
import type { FsEntry } from '../core/guest-files.js';

export function toEntry(name: string, stats: Stats, target?: string): FsEntry {
  const type = stats.isFile()
    ? 'file'
    : stats.isDirectory()
      ? 'directory'
      : stats.isSymbolicLink()
        ? 'symlink'
        : 'other';
  const entry: FsEntry = { name, type, size: stats.size, mode: stats.mode & 0o7777, mtimeMs: stats.mtimeMs };
  if (target !== undefined) entry.target = target;
  return entry;
}

/** The entry for `path` as lstat sees it, with a symlink's target read (unresolved). */
export async function entryOf(name: string, path: string, stats: Stats): Promise<FsEntry> {
  if (!stats.isSymbolicLink()) return toEntry(name, stats);
  // A link replaced between lstat and readlink: report it without a target rather than fail.
  const target = await readlink(path).catch(() => undefined);
  return toEntry(name, stats, target);
}
