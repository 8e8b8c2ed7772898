/**
 * Local directory trees as tar streams, both ways, with node-tar (loaded only when a copy needs
 * it, so that other commands start no slower).
 *
 * Packing is streamed: files are read as the gateway takes the archive. Extraction takes an
 * archive a VM produced, so it trusts none of it: names that are absolute or hold `..` are
 * refused, nothing is written through a symlink (node-tar checks every directory it passes),
 * owners are not applied and setuid, setgid and sticky bits are dropped. Symlinks themselves are
 * made last, after every file and directory, and only where each parent is a real directory: an
 * archive cannot make `x -> /etc` and then write `x/passwd` through it.
 */
import { lstat, mkdir, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { ReadEntry } from 'tar';
import { AetherError } from '../../core/errors.js';

/**
 * node-tar archives a file with several hard links once and the others as links to it; the VM
 * side refuses link entries, so each is sent as a file of its own: this cache never remembers.
 */
class NoHardLinks extends Map<`${number}:${number}`, string> {
  override get(): undefined {
    return undefined;
  }
}

/**
 * A tar stream of the local directory `directory`: its contents under `name/` (the directory's
 * own entry first, with its mode), or at the top when `name` is empty. Symlinks are kept as
 * links; sockets and other special files are left out. A file that cannot be read fails the
 * stream rather than being left out.
 */
export async function packDirectory(directory: string, name: string): Promise<AsyncIterable<Uint8Array>> {
  const tar = await import('tar');
  return tar.create(
    {
      cwd: directory,
      portable: true,
      strict: true,
      linkCache: new NoHardLinks(),
      ...(name ? { prefix: name } : {}),
      filter: (_path, stat) =>
        'isFile' in stat ? stat.isFile() || stat.isDirectory() || stat.isSymbolicLink() : true,
    },
    ['.'],
  );
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
/** Types a copy does not carry; the VM side skips them too. */
const SKIPPED_TYPES = new Set(['CharacterDevice', 'BlockDevice', 'FIFO']);

interface DeferredSymlink {
  entryName: string;
  components: string[];
  target: string;
}

/**
 * Extracts the tar stream `source` into the existing directory `directory`. Rejects with
 * ERR_VALIDATION naming the first entry refused (after extracting what it safely could: the
 * caller removes what it made), or with the source's own error when the stream is cut.
 */
export async function extractArchive(source: AsyncIterable<Uint8Array>, directory: string): Promise<void> {
  const tar = await import('tar');
  const problems: string[] = [];
  const symlinks = new Map<string, DeferredSymlink>();
  const unpack = tar.extract({
    cwd: directory,
    preserveOwner: false,
    // Runs before node-tar acts on an entry: the place to hold symlinks back and narrow modes.
    filter: (entryName, entry) => {
      const read = entry as ReadEntry;
      const key = normalizedKey(entryName);
      if (read.type === 'SymbolicLink') {
        symlinks.set(key, { entryName, components: key.split('/'), target: read.linkpath ?? '' });
        return false;
      }
      symlinks.delete(key); // a later entry of the same name replaces an earlier link
      if (read.type === 'Directory' || FILE_TYPES.has(read.type)) {
        if (typeof read.mode === 'number') read.mode &= 0o777;
        return true;
      }
      if (!SKIPPED_TYPES.has(read.type)) problems.push(`${JSON.stringify(entryName)} is a ${read.type}`);
      return false;
    },
    onwarn: (code, message) => {
      // Informational notes (a leading `/` stripped from a name) are not failures.
      if (code !== 'TAR_ENTRY_INFO') problems.push(`${code}: ${String(message)}`);
    },
  });
  const finished = new Promise<void>((resolve, reject) => {
    unpack.once('close', resolve);
    unpack.once('error', reject);
  });
  try {
    for await (const chunk of source) {
      if (!unpack.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        await new Promise<void>((resolve) => unpack.once('drain', resolve));
      }
    }
    unpack.end();
    await finished;
  } catch (error) {
    unpack.abort(error instanceof Error ? error : new Error(String(error)));
    await finished.catch(() => {});
    throw error;
  }
  for (const link of symlinks.values()) {
    const refused = await makeSymlink(directory, link);
    if (refused) problems.push(refused);
  }
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new AetherError('ERR_VALIDATION', `the archive was not extracted whole: ${problems[0]}${more}`);
  }
}

/** `./a//b/` → `a/b`: the key under which entries of the same path meet. */
function normalizedKey(entryName: string): string {
  return entryName
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

/** Makes one held-back symlink where it is safe to; else says why not. */
async function makeSymlink(directory: string, link: DeferredSymlink): Promise<string | null> {
  const name = JSON.stringify(link.entryName);
  if (link.entryName.startsWith('/') || link.components.includes('..') || link.components[0] === '') {
    return `symlink ${name} is refused: its name is absolute, empty or has a ".." component`;
  }
  if (link.target === '' || link.target.includes('\0')) return `symlink ${name} has no usable target`;
  let at = directory;
  for (const component of link.components.slice(0, -1)) {
    at = path.join(at, component);
    const stats = await lstat(at).catch(() => null);
    if (stats === null) await mkdir(at, { mode: 0o755 });
    else if (!stats.isDirectory()) return `symlink ${name} is refused: ${component} is not a directory`;
  }
  const full = path.join(at, link.components.at(-1)!);
  const existing = await lstat(full).catch(() => null);
  if (existing?.isDirectory()) return `symlink ${name} is refused: a directory stands at its name`;
  if (existing) await unlink(full);
  await symlink(link.target, full);
  return null;
}
