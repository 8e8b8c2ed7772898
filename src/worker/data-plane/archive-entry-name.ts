/**
 * Names inside a tar archive, checked before they touch a guest. An uploaded archive is written
 * by whoever sends it, and a downloaded one is built from names a guest agent reported: neither
 * may name a path outside the tree it describes.
 */
import { AetherError } from '../../core/errors.js';

/**
 * An entry's name as path components below the extraction directory. `./a//b/` gives
 * `['a', 'b']`; `.` and `./` give `[]`, the extraction directory itself. Empty, absolute and
 * NUL-bearing names and any `..` component are refused with ERR_VALIDATION naming the entry.
 */
export function entryComponents(name: string): string[] {
  if (name.length === 0) throw refusedName(name, 'is empty');
  if (name.includes('\0')) throw refusedName(name, 'contains a NUL byte');
  if (name.startsWith('/')) throw refusedName(name, 'is absolute');
  const components = name.split('/').filter((part) => part !== '' && part !== '.');
  if (components.includes('..')) throw refusedName(name, 'has a ".." component');
  return components;
}

/** True for a single path component: what a directory listing may name (no `/`, `.`, `..`, NUL). */
export function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

/** `dir/name` as the guest reads it, without normalising `dir` (a guest symlink may make `x/..` differ from `.`). */
export function childPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

export function refusedEntry(name: string, why: string): AetherError {
  return new AetherError('ERR_VALIDATION', `archive entry ${JSON.stringify(name)} ${why}`, {
    details: { entry: name },
  });
}

function refusedName(name: string, why: string): AetherError {
  return refusedEntry(name, `is refused: its name ${why}`);
}
