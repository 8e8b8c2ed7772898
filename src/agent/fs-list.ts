/**
 * Listing a directory, or everything below it. Symlinks are reported, never followed, so a link
 * loop cannot make the walk endless; a directory comes before what it holds, siblings sorted by
 * name. The answer must fit one frame: it stops at MAX_LIST_ENTRIES entries or when the next
 * entry would push it past the frame budget, and says it was truncated.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FsEntry, FsListing } from '../core/guest-files.js';
import { MAX_FRAME_BYTES, MAX_LIST_ENTRIES, MAX_PATH_LENGTH } from '../protocol/messages.js';
import { entryOf } from './fs-entry.js';
import { fileError } from './fs-errors.js';

/** Room left in the frame for the message around the entries. */
const ENTRIES_BUDGET_BYTES = MAX_FRAME_BYTES - 64 * 1024;

class Collector {
  readonly entries: FsEntry[] = [];
  truncated = false;
  private bytes = 0;

  /** False once full: the caller stops walking. */
  add(entry: FsEntry): boolean {
    const size = Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (this.entries.length >= MAX_LIST_ENTRIES || this.bytes + size > ENTRIES_BUDGET_BYTES) {
      this.truncated = true;
      return false;
    }
    this.bytes += size;
    this.entries.push(entry);
    return true;
  }
}

export async function listDirectory(home: string, path: string, recursive: boolean): Promise<FsListing> {
  const root = resolve(home, path);
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    throw fileError(error, root);
  }
  const out = new Collector();
  await walk(root, '', names, recursive, out);
  return { entries: out.entries, truncated: out.truncated };
}

/** Adds the entries of `dir` (whose names were read) and, if recursive, of its subdirectories. */
async function walk(
  dir: string,
  prefix: string,
  names: string[],
  recursive: boolean,
  out: Collector,
): Promise<boolean> {
  names.sort();
  for (const name of names) {
    const relative = prefix + name;
    if (relative.length > MAX_PATH_LENGTH) {
      out.truncated = true; // deeper than a path the protocol carries
      continue;
    }
    const full = join(dir, name);
    let stats: Awaited<ReturnType<typeof lstat>>;
    try {
      stats = await lstat(full);
    } catch {
      continue; // removed while we walked
    }
    if (!out.add(await entryOf(relative, full, stats))) return false;
    if (!recursive || !stats.isDirectory()) continue;
    // An unreadable subdirectory is listed itself, without what it holds.
    const children = await readdir(full).catch(() => null);
    if (children && !(await walk(full, `${relative}/`, children, true, out))) return false;
  }
  return true;
}
