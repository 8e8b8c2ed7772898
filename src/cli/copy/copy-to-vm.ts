/**
 * `aether cp LOCAL VM:PATH`, as `docker cp` copies into a container:
 *
 * - a file goes to PATH; into PATH under its own name when PATH is a directory in the VM or
 *   ends with `/`. Its permission bits go with it.
 * - a directory becomes PATH, with the directory's contents, when PATH does not exist; goes
 *   inside PATH, under its own name, when PATH is a directory; `DIR/.` copies the contents of
 *   DIR into PATH either way. It travels as a tar archive packed as it is sent: modes,
 *   modification times and symlinks (as links) are kept.
 * - `-` reads stdin: the bytes of one file written at PATH, or with `--archive` a tar archive
 *   unpacked into the directory PATH.
 *
 * A symlink named as the source is followed; symlinks inside a directory are copied as links.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FsEntry, UploadResult } from '@aetherium/sdk';
import { AetherApiError, type AetherClient } from '@aetherium/sdk';
import { AetherError } from '../../core/errors.js';
import type { CopyOperand } from './copy-operand.js';
import { packDirectory } from './local-archive.js';
import { TransferProgress } from './transfer-progress.js';

export interface CopyToVmOptions {
  /** With `-` as the source: stdin is a tar archive. */
  archive?: boolean;
}

type VmOperand = Extract<CopyOperand, { kind: 'vm' }>;

export async function copyToVm(
  client: AetherClient,
  from: Exclude<CopyOperand, { kind: 'vm' }>,
  to: VmOperand,
  options: CopyToVmOptions = {},
): Promise<UploadResult> {
  if (from.kind === 'stdio') {
    return send('stdin', process.stdin, undefined, (body) =>
      client.uploadFile(to.vm, to.path, body, { tar: options.archive ?? false }),
    );
  }
  const stats = await localStat(from.path);
  if (stats.isFile()) {
    const target = await fileTarget(client, to, path.basename(from.path));
    return send(from.path, createReadStream(from.path), stats.size, (body) =>
      client.uploadFile(to.vm, target, body, { mode: stats.mode & 0o7777 }),
    );
  }
  if (!stats.isDirectory()) {
    throw new AetherError('ERR_VALIDATION', `${from.path} is not a file or a directory`);
  }
  const { into, name } = await directoryTarget(client, to, from.path);
  return send(from.path, await packDirectory(from.path, name), undefined, (body) =>
    client.uploadFile(to.vm, into, body, { tar: true }),
  );
}

/** Uploads `source` through `upload`, with progress on a terminal. */
async function send(
  label: string,
  source: AsyncIterable<Uint8Array>,
  size: number | undefined,
  upload: (body: AsyncIterable<Uint8Array>) => Promise<UploadResult>,
): Promise<UploadResult> {
  const progress = new TransferProgress(label, size);
  try {
    const result = await upload(progress.count(source));
    progress.finish();
    return result;
  } catch (error) {
    progress.abandon();
    throw error;
  }
}

async function localStat(file: string) {
  try {
    return await stat(file);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') {
      throw new AetherError('ERR_FILE_NOT_FOUND', `${file}: no such file or directory (local)`);
    }
    throw error;
  }
}

/** The VM path's entry, or null when nothing is there. */
async function statInVm(client: AetherClient, to: VmOperand): Promise<FsEntry | null> {
  try {
    return await client.statFile(to.vm, to.path);
  } catch (error) {
    if (error instanceof AetherApiError && error.code === 'ERR_FILE_NOT_FOUND') return null;
    throw error;
  }
}

/** Where a file lands: inside PATH when PATH is (or is written as) a directory, else at PATH. */
async function fileTarget(client: AetherClient, to: VmOperand, baseName: string): Promise<string> {
  if (to.path.endsWith('/')) return `${to.path}${baseName}`;
  const entry = await statInVm(client, to);
  return entry?.type === 'directory' ? `${to.path}/${baseName}` : to.path;
}

/**
 * Where a directory is unpacked, and the name its contents go under there: PATH itself when it
 * does not exist (the archive names its top `basename(PATH)`, unpacked in PATH's parent), or
 * inside PATH under the source's own name.
 */
async function directoryTarget(
  client: AetherClient,
  to: VmOperand,
  source: string,
): Promise<{ into: string; name: string }> {
  const contentsOnly = path.basename(source) === '.' || source.endsWith('/.');
  const entry = await statInVm(client, to);
  if (entry && entry.type !== 'directory') {
    throw new AetherError(
      'ERR_NOT_A_DIRECTORY',
      `cannot copy the directory ${source} onto the file ${to.path}`,
    );
  }
  if (contentsOnly) return { into: to.path, name: '' };
  if (entry) return { into: to.path, name: path.basename(path.resolve(source)) };
  const trimmed = to.path.replace(/\/+$/, '');
  return { into: path.posix.dirname(trimmed), name: path.posix.basename(trimmed) };
}
