/**
 * One-shot file operations inside the guest. Paths are the guest's own: relative ones start at
 * the VM home. Nothing here follows a symlink it is asked to act on, except where reading or
 * listing a directory through a link is what the caller asked for.
 */
import { chmod, lstat, mkdir, rename, rm, rmdir, symlink, unlink } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { FsEntry } from '../core/guest-files.js';
import { entryOf } from './fs-entry.js';
import { FileOpError, fileError } from './fs-errors.js';

/** lstat: a symlink is reported as itself, with its target. */
export async function statPath(home: string, path: string): Promise<FsEntry> {
  const target = resolve(home, path);
  try {
    return await entryOf(basename(target) || target, target, await lstat(target));
  } catch (error) {
    throw fileError(error, target);
  }
}

export async function makeDirectory(
  home: string,
  path: string,
  options: { parents?: boolean; mode?: number },
): Promise<void> {
  const target = resolve(home, path);
  const mode = options.mode ?? 0o755;
  try {
    if (options.parents) {
      const created = await mkdir(target, { recursive: true, mode });
      // An existing directory is fine with `parents`, but it must be a directory.
      if (created === undefined && !(await lstat(target)).isDirectory()) {
        throw new FileOpError('ERR_FILE_EXISTS', `${target}: already exists and is not a directory`);
      }
      if (created !== undefined && options.mode !== undefined) await chmod(target, mode);
    } else {
      await mkdir(target, { mode });
      if (options.mode !== undefined) await chmod(target, mode); // the umask narrowed it
    }
  } catch (error) {
    throw fileError(error, target);
  }
}

export async function removePath(home: string, path: string, recursive: boolean): Promise<void> {
  const target = resolve(home, path);
  try {
    const stats = await lstat(target);
    if (!stats.isDirectory())
      await unlink(target); // a symlink goes, not what it points to
    else if (recursive) await rm(target, { recursive: true });
    else await rmdir(target);
  } catch (error) {
    throw fileError(error, target);
  }
}

export async function renamePath(home: string, from: string, to: string): Promise<void> {
  const source = resolve(home, from);
  const destination = resolve(home, to);
  try {
    await rename(source, destination);
  } catch (error) {
    const failure = fileError(error, source);
    throw new FileOpError(failure.code, `${failure.message} (renaming to ${destination})`);
  }
}

export async function makeSymlink(home: string, path: string, target: string): Promise<void> {
  const link = resolve(home, path);
  try {
    await symlink(target, link);
  } catch (error) {
    throw fileError(error, link);
  }
}

/** Sets the permission bits exactly (chmod is not narrowed by the umask). */
export async function changeMode(home: string, path: string, mode: number): Promise<void> {
  const target = resolve(home, path);
  try {
    await chmod(target, mode);
  } catch (error) {
    throw fileError(error, target);
  }
}
