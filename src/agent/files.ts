/** File put/get inside the guest. Paths are the guest's own business: relative ones start at home. */
import { constants } from 'node:fs';
import { chmod, mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { AgentErrorCode } from '../protocol/messages.js';
import { MAX_PAYLOAD_BYTES } from '../protocol/messages.js';

export class FileOpError extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function classify(error: unknown, path: string): FileOpError {
  const errno = (error as NodeJS.ErrnoException).code;
  if (errno === 'ENOENT') return new FileOpError('ERR_NOT_FOUND', `${path}: no such file or directory`);
  if (
    errno === 'EISDIR' ||
    errno === 'ENOTDIR' ||
    errno === 'EACCES' ||
    errno === 'EPERM' ||
    errno === 'EROFS'
  ) {
    return new FileOpError('ERR_VALIDATION', `${path}: ${errno}`);
  }
  return new FileOpError('ERR_INTERNAL', `${path}: ${(error as Error).message}`);
}

export async function putFile(home: string, path: string, base64: string, mode = 0o644): Promise<void> {
  const target = resolve(home, path);
  const data = Buffer.from(base64, 'base64');
  if (data.length > MAX_PAYLOAD_BYTES) {
    throw new FileOpError('ERR_BODY_TOO_LARGE', `file of ${data.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  }
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data, { mode });
    await chmod(target, mode); // the umask narrowed the mode given at creation
  } catch (error) {
    throw classify(error, target);
  }
}

export async function getFile(home: string, path: string): Promise<string> {
  const target = resolve(home, path);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: opening a FIFO must not hang the request; we refuse non-regular files below.
    handle = await open(target, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw classify(error, target);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new FileOpError('ERR_VALIDATION', `${target} is not a regular file`);
    // Read until EOF, not just `info.size` bytes: the file may grow while we read.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(
        Math.max(64 * 1024, Math.min(info.size - total, MAX_PAYLOAD_BYTES + 1)),
      );
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > MAX_PAYLOAD_BYTES) {
        throw new FileOpError('ERR_BODY_TOO_LARGE', `${target} is larger than ${MAX_PAYLOAD_BYTES} bytes`);
      }
    }
    return Buffer.concat(chunks, total).toString('base64');
  } catch (error) {
    throw error instanceof FileOpError ? error : classify(error, target);
  } finally {
    await handle.close();
  }
}
