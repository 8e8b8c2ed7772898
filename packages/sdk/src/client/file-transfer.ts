/**
 * The client's side of files in a VM: the shapes the file routes answer, and the checks a
 * download's byte stream needs — its entry header read, a transfer cut before its last byte
 * reported as such rather than taken for a short file.
 */
import { Readable } from 'node:stream';
import type { FsEntry, FsListing, UploadResult } from '../api-types.js';
import type { HttpAnswer } from './http-request.js';
import { FILE_ENTRY_HEADER, TAR_MEDIA_TYPE } from './wire.js';

/** One path inside a VM, as `statFile` and `listFiles` answer it (lstat: a symlink is itself). */
export type { FsEntry, FsListing, UploadResult };

/** `raw`: one file's bytes; `tar`: a tar archive (a directory tree, or a file packed). */
export type TransferFormat = 'raw' | 'tar';

export interface UploadFileOptions {
  /** The body is a tar archive, unpacked into the directory `path` (made with its parents). */
  tar?: boolean;
  /** Permission bits of a single file (e.g. 0o755); default 0644. */
  mode?: number;
  /** Aborting cuts the transfer; the VM keeps no half-written file. */
  signal?: AbortSignal;
}

export interface DownloadFileOptions {
  /** Default: the bytes of a file, a tar archive of a directory; `tar` packs a file too. */
  format?: TransferFormat;
  signal?: AbortSignal;
}

export interface FileDownload {
  /** What was downloaded, named as asked (a directory's entry for a tar of it). */
  entry: FsEntry;
  format: TransferFormat;
  /** Bytes in a raw body, known up front; absent for tar. */
  size?: number;
  /**
   * The bytes as they arrive, read once. A transfer cut before its end fails the stream with
   * ERR_TRANSFER_ABORTED; destroying the stream closes the connection.
   */
  body: Readable;
}

/** Makes the client's error type, so that this file needs no import of the client itself. */
export type ErrorMaker = (status: number, code: string, message: string) => Error;

/** A download's answer, its head read and its body guarded. */
export function fileDownloadOf(res: HttpAnswer, error: ErrorMaker): FileDownload {
  const entry = entryOf(res.headers[FILE_ENTRY_HEADER], error);
  const format: TransferFormat = String(res.headers['content-type'] ?? '').startsWith(TAR_MEDIA_TYPE)
    ? 'tar'
    : 'raw';
  const length = Number(res.headers['content-length']);
  const size = format === 'raw' && Number.isSafeInteger(length) ? length : undefined;
  return {
    entry,
    format,
    ...(size !== undefined ? { size } : {}),
    body: Readable.from(guarded(res.body, size, error), { objectMode: false }),
  };
}

function entryOf(header: string | string[] | undefined, error: ErrorMaker): FsEntry {
  const text = Array.isArray(header) ? header[0] : header;
  try {
    const parsed = JSON.parse(text ?? '') as FsEntry;
    if (typeof parsed.name === 'string' && typeof parsed.type === 'string') return parsed;
  } catch {
    // reported below
  }
  throw error(0, 'ERR_HTTP', `the download's answer has no usable ${FILE_ENTRY_HEADER} header`);
}

/**
 * The body's bytes, failing with ERR_TRANSFER_ABORTED when the connection ends early: a socket
 * error, or fewer bytes than the answer announced.
 */
async function* guarded(
  body: Readable,
  size: number | undefined,
  error: ErrorMaker,
): AsyncGenerator<Uint8Array> {
  let received = 0;
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      received += chunk.byteLength;
      yield chunk;
    }
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw error(0, 'ERR_TRANSFER_ABORTED', `the download was cut after ${received} bytes (${why})`);
  } finally {
    body.destroy();
  }
  if (size !== undefined && received !== size) {
    throw error(0, 'ERR_TRANSFER_ABORTED', `the download was cut after ${received} of ${size} bytes`);
  }
}
