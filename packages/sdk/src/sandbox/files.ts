/**
 * `sandbox.files`: the sandbox's file system. Bodies stream both ways (nothing is held whole in
 * memory but what `read` as text or bytes returns), and a cut transfer leaves no half file.
 */
import type { FsEntry, UploadResult } from '../api-types.js';
import type { AetherClient } from '../client/client.js';

/** What can be written: text, bytes, or a stream of bytes (web or Node). */
export type WriteData = string | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface WriteOptions {
  /** Permission bits, e.g. 0o755 (default 0o644). */
  mode?: number;
  signal?: AbortSignal;
}

export interface ReadOptions {
  signal?: AbortSignal;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function bytesOf(data: WriteData): AsyncIterable<Uint8Array> {
  if (typeof data === 'string') return once(new TextEncoder().encode(data));
  if (data instanceof Uint8Array) return once(data);
  if (Symbol.asyncIterator in data) return data;
  return webStreamIterable(data);
}

async function* webStreamIterable(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

export class Files {
  constructor(
    private readonly client: AetherClient,
    private readonly vmId: string,
  ) {}

  /** A file's content as text (UTF-8). */
  read(path: string, options?: ReadOptions & { format?: 'text' }): Promise<string>;
  /** A file's content as bytes. */
  read(path: string, options: ReadOptions & { format: 'bytes' }): Promise<Uint8Array>;
  /** A file's content as a stream, read as it arrives. */
  read(path: string, options: ReadOptions & { format: 'stream' }): Promise<ReadableStream<Uint8Array>>;
  async read(
    path: string,
    options: ReadOptions & { format?: 'text' | 'bytes' | 'stream' } = {},
  ): Promise<string | Uint8Array | ReadableStream<Uint8Array>> {
    const download = await this.client.downloadFile(this.vmId, path, {
      format: 'raw',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.format === 'stream') {
      const { Readable } = await import('node:stream');
      return Readable.toWeb(download.body) as ReadableStream<Uint8Array>;
    }
    const parts: Uint8Array[] = [];
    for await (const part of download.body as AsyncIterable<Uint8Array>) parts.push(part);
    const bytes = Buffer.concat(parts);
    return options.format === 'bytes' ? new Uint8Array(bytes) : bytes.toString('utf8');
  }

  /** Writes a file (its parent directories are made), streaming `data` as it is read. */
  write(path: string, data: WriteData, options: WriteOptions = {}): Promise<UploadResult> {
    return this.client.uploadFile(this.vmId, path, bytesOf(data), options);
  }

  /** A directory's entries (every level below with `recursive`). */
  async list(path: string, options: { recursive?: boolean; signal?: AbortSignal } = {}): Promise<FsEntry[]> {
    const { signal, ...listing } = options;
    return (await this.client.withSignal(signal).listFiles(this.vmId, path, listing)).entries;
  }

  /** One path; a symlink is described as itself. NotFoundError (`ERR_FILE_NOT_FOUND`) when absent. */
  stat(path: string, options: ReadOptions = {}): Promise<FsEntry> {
    return this.client.withSignal(options.signal).statFile(this.vmId, path);
  }

  async exists(path: string, options: ReadOptions = {}): Promise<boolean> {
    try {
      await this.stat(path, options);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_FILE_NOT_FOUND') return false;
      throw error;
    }
  }

  /** Removes a file, or a directory with `recursive`. */
  remove(path: string, options: { recursive?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    const { signal, ...removal } = options;
    return this.client.withSignal(signal).removeFile(this.vmId, path, removal);
  }

  /** Makes a directory, with its parents unless `parents: false`. */
  mkdir(path: string, options: { parents?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    return this.client
      .withSignal(options.signal)
      .makeDirectory(this.vmId, path, { parents: options.parents ?? true });
  }

  rename(from: string, to: string, options: ReadOptions = {}): Promise<void> {
    return this.client.withSignal(options.signal).moveFile(this.vmId, from, to);
  }

  /** Streams a local file into the sandbox (Node). */
  async upload(localPath: string, remotePath: string, options: WriteOptions = {}): Promise<UploadResult> {
    const { createReadStream } = await import('node:fs');
    return this.write(remotePath, createReadStream(localPath), options);
  }

  /** Streams a file of the sandbox to a local file (Node); a cut transfer leaves no local file. */
  async download(remotePath: string, localPath: string, options: ReadOptions = {}): Promise<void> {
    const [{ createWriteStream }, { rm }, { pipeline }] = await Promise.all([
      import('node:fs'),
      import('node:fs/promises'),
      import('node:stream/promises'),
    ]);
    const download = await this.client.downloadFile(this.vmId, remotePath, {
      format: 'raw',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
      await pipeline(download.body, createWriteStream(localPath));
    } catch (error) {
      await rm(localPath, { force: true });
      throw error;
    }
  }
}
