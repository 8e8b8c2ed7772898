/**
 * `aether cp VM:PATH LOCAL`, as `docker cp` copies out of a container:
 *
 * - a file is written at LOCAL, or inside LOCAL under its own name when LOCAL is a directory;
 *   with its permission bits (setuid, setgid and sticky dropped) and modification time. The
 *   bytes go to a temporary file beside the target, renamed over it once complete: a cut
 *   transfer leaves nothing behind.
 * - a directory becomes LOCAL, with the directory's contents, when LOCAL does not exist (its
 *   parent must); goes inside LOCAL under its own name when LOCAL is a directory; `PATH/.` copies
 *   the contents into LOCAL either way. It travels as a tar archive extracted as it arrives, with
 *   node-tar's safeguards (local-archive.ts). What a failed copy made is removed.
 * - `-` writes to stdout: a file's bytes, a directory's tar archive (a file's too with
 *   `--archive`).
 *
 * A symlink named as the source is read through, inside the VM.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AetherClient, FileDownload, FsEntry } from '@aetherium/sdk';
import { AetherError } from '../../core/errors.js';
import type { CopyOperand } from './copy-operand.js';
import { extractArchive } from './local-archive.js';
import { TransferProgress } from './transfer-progress.js';

export interface CopyFromVmOptions {
  /** With `-` as the destination: a tar archive even for a single file. */
  archive?: boolean;
}

type VmOperand = Extract<CopyOperand, { kind: 'vm' }>;

export async function copyFromVm(
  client: AetherClient,
  from: VmOperand,
  to: Exclude<CopyOperand, { kind: 'vm' }>,
  options: CopyFromVmOptions = {},
): Promise<void> {
  if (to.kind === 'stdio') {
    const download = await client.downloadFile(from.vm, from.path, options.archive ? { format: 'tar' } : {});
    return receive(download, async (bytes) => {
      for await (const chunk of bytes) {
        if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
      }
    });
  }
  const entry = await client.statFile(from.vm, from.path);
  if (entry.type === 'directory') return copyDirectory(client, from, entry, to.path);
  const download = await client.downloadFile(from.vm, from.path, { format: 'raw' });
  const target = await fileTarget(to.path, path.posix.basename(from.path) || download.entry.name);
  return receive(download, (bytes) => writeFileAtomically(bytes, target, download.entry));
}

/** Consumes a download's body through `write`, with progress on a terminal. */
async function receive(
  download: FileDownload,
  write: (bytes: AsyncIterable<Uint8Array>) => Promise<void>,
): Promise<void> {
  const progress = new TransferProgress(download.entry.name, download.size);
  try {
    await write(progress.count(download.body));
    progress.finish();
  } catch (error) {
    progress.abandon();
    download.body.destroy();
    throw error;
  }
}

/** The local entry, or null when nothing is there. */
async function localStat(file: string) {
  return stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
}

async function fileTarget(local: string, baseName: string): Promise<string> {
  const stats = await localStat(local);
  if (stats?.isDirectory()) return path.join(local, baseName);
  if (!stats && local.endsWith('/')) {
    throw new AetherError('ERR_FILE_NOT_FOUND', `${local}: no such directory (local)`);
  }
  return local;
}

/** Writes beside `target`, then renames over it: `target` is never half-written. */
async function writeFileAtomically(
  bytes: AsyncIterable<Uint8Array>,
  target: string,
  entry: FsEntry,
): Promise<void> {
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target)}.aether-${randomBytes(4).toString('hex')}.part`,
  );
  try {
    await pipeline(bytes, createWriteStream(temporary, { flags: 'wx', mode: 0o600 }));
    await chmod(temporary, entry.mode & 0o777);
    const mtime = new Date(entry.mtime);
    if (!Number.isNaN(mtime.getTime())) await utimes(temporary, mtime, mtime);
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}

/**
 * A directory of the VM to the local `local`: made from the directory's contents when absent,
 * else the directory goes inside it (or only its contents, for `PATH/.`).
 */
async function copyDirectory(
  client: AetherClient,
  from: VmOperand,
  entry: FsEntry,
  local: string,
): Promise<void> {
  const contentsOnly = /(^|\/)\.$/.test(from.path);
  const existing = await localStat(local);
  if (existing && !existing.isDirectory()) {
    throw new AetherError(
      'ERR_NOT_A_DIRECTORY',
      `cannot copy the directory ${from.path} onto the file ${local}`,
    );
  }
  if (existing) {
    const made = contentsOnly ? null : path.join(local, path.posix.basename(from.path.replace(/\/+$/, '')));
    const madeBefore = made !== null && (await localStat(made)) !== null;
    const download = await client.downloadFile(from.vm, from.path, { format: 'tar' });
    return receive(download, (bytes) => extractArchive(bytes, local)).catch(async (error: unknown) => {
      if (made && !madeBefore) await rm(made, { recursive: true, force: true });
      throw error;
    });
  }
  // The contents only: the archive then has no top entry, and `local` is the directory itself.
  const contents = contentsOnly ? from.path : `${from.path.replace(/\/+$/, '')}/.`;
  const download = await client.downloadFile(from.vm, contents, { format: 'tar' });
  await mkdir(local, { mode: 0o700 });
  try {
    await receive(download, (bytes) => extractArchive(bytes, local));
    await chmod(local, entry.mode & 0o777);
  } catch (error) {
    await rm(local, { recursive: true, force: true });
    throw error;
  }
}
