/**
 * A local directory tree that exercises what `aether cp` must keep (nested and empty
 * directories, relative and absolute symlinks, modes, an empty file), and a listing of a tree
 * that two copies must share to count as identical.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

export interface TreeOptions {
  /** Size of the top-level random file. */
  dataBytes?: number;
  /** Size of the random file two directories down; not a multiple of any chunk size by default. */
  deepBytes?: number;
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Writes the tree under `root` (made, with parents). */
export function makeTree(root: string, options: TreeOptions = {}): void {
  const { dataBytes = 300_000, deepBytes = 2 * 1024 * 1024 + 17 } = options;
  mkdirSync(path.join(root, 'nested', 'deeper'), { recursive: true });
  mkdirSync(path.join(root, 'nested', 'empty-dir'));
  writeFileSync(path.join(root, 'data.bin'), randomBytes(dataBytes));
  writeFileSync(path.join(root, 'run.sh'), '#!/bin/sh\necho ran\n');
  chmodSync(path.join(root, 'run.sh'), 0o755);
  writeFileSync(path.join(root, 'secret'), 'only me\n');
  chmodSync(path.join(root, 'secret'), 0o600);
  writeFileSync(path.join(root, 'empty'), '');
  writeFileSync(path.join(root, 'nested', 'deeper', 'deep.bin'), randomBytes(deepBytes));
  symlinkSync('nested/deeper/deep.bin', path.join(root, 'link'));
  symlinkSync('/etc/hostname', path.join(root, 'absolute-link'));
  chmodSync(path.join(root, 'nested'), 0o750);
}

/** Every entry under `root`: type, permission bits, and content hash or link target. */
export function manifest(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      const stats = lstatSync(full);
      const mode = (stats.mode & 0o777).toString(8);
      if (stats.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(full)}`;
      else if (stats.isDirectory()) {
        out[rel] = `dir ${mode}`;
        walk(full, rel);
      } else out[rel] = `file ${mode} ${sha256(readFileSync(full))}`;
    }
  };
  walk(root, '');
  return out;
}
