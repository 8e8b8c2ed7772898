/**
 * A tree inside a VM read out as a tar stream, one guest file at a time: the archive never holds
 * more than a chunk or so of a file, and a slow reader of the archive slows the guest's reads.
 */
import { posix } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pack as createPack, type Headers, type Pack } from 'tar-stream';
import { AetherError, isAetherError } from '../../core/errors.js';
import type { FsEntry, GuestFiles } from '../../core/guest-files.js';
import { childPath, isPlainName } from './archive-entry-name.js';

export interface PackTreeOptions {
  /** Aborting destroys the archive stream and cancels the guest read under way. */
  signal?: AbortSignal | undefined;
}

/** Largest size the ustar header's 11 octal digits hold (8 GiB - 1); beyond it a pax `size` record. */
const MAX_USTAR_SIZE = 0o77777777777;
const MAX_INT32_SECONDS = 2 ** 31 - 1;
const ARCHIVE_HIGH_WATER_MARK = 64 * 1024;

// tar-stream replaces a mode of 0 by its default (0644/0755): a file type bit keeps the number
// non-zero and is masked off when the header is written.
const TYPE_BITS = { file: 0o100000, directory: 0o040000, symlink: 0o120000 } as const;

/** A header as tar-stream writes it; `pax` records are written when present. */
type PaxHeaders = Headers & { pax?: Record<string, string> };

/**
 * A tar stream of the tree at `path` in the VM, named as `docker cp vm:/a/dir .` names it: the
 * archive's top entry is `dir`, its contents `dir/...`. A path ending in `.` (`/a/dir/.`) packs
 * the directory's contents without the directory itself. A file or a symlink packs as one entry.
 *
 * Directories, regular files and symlinks (their target kept, never followed) travel with their
 * permission bits and modification times (whole seconds); FIFOs, sockets and devices are
 * skipped. A file that grows while it is read is cut at the size its header declared; one that
 * shrinks fails the stream, since the archive would otherwise be corrupt. Any error (the path is
 * missing, a directory holds more entries than one listing answers, the agent is gone) destroys
 * the stream with an AetherError; destroying the stream cancels the read under way.
 */
export function packTree(
  files: GuestFiles,
  vmId: string,
  path: string,
  options: PackTreeOptions = {},
): Readable {
  const pack = createPack();
  const archive = Readable.from(pack, { objectMode: false, highWaterMark: ARCHIVE_HIGH_WATER_MARK });
  const stop = new AbortController();
  const { signal } = options;
  const onAbort = () => archive.destroy(abortError(signal?.reason));
  archive.once('close', () => {
    signal?.removeEventListener('abort', onAbort);
    stop.abort(new AetherError('ERR_TRANSFER_ABORTED', 'the archive stream was closed before its end'));
  });
  if (signal?.aborted) queueMicrotask(onAbort);
  else signal?.addEventListener('abort', onAbort, { once: true });

  new TreePacker(files, vmId, pack, stop.signal).packRoot(path).then(
    () => pack.finalize(),
    (error: unknown) => pack.destroy(asAetherError(error, path)),
  );
  return archive;
}

class TreePacker {
  constructor(
    private readonly files: GuestFiles,
    private readonly vmId: string,
    private readonly pack: Pack,
    private readonly stopped: AbortSignal,
  ) {}

  async packRoot(path: string): Promise<void> {
    const root = await this.files.stat(this.vmId, path);
    const top = topEntryName(path);
    switch (root.type) {
      case 'directory':
        if (top !== '') await this.addEntry(directoryHeader(top, root));
        await this.packDirectory(path, top);
        return;
      case 'file':
        return this.addFile(path, top || root.name);
      case 'symlink':
        return this.addEntry(symlinkHeader(top || root.name, root, path));
      case 'other':
        throw new AetherError('ERR_VALIDATION', `${path} is not a file, a directory or a symlink`, {
          details: { path },
        });
    }
  }

  /** Walks one directory per listing, so only a single directory past the agent's limit fails. */
  private async packDirectory(dir: string, prefix: string): Promise<void> {
    this.checkNotStopped();
    const listing = await this.files.list(this.vmId, dir);
    if (listing.truncated) {
      throw new AetherError(
        'ERR_UNSUPPORTED',
        `${dir} holds more entries than one listing answers (${listing.entries.length}); ` +
          'copy its subdirectories one by one',
        { details: { path: dir, listed: listing.entries.length } },
      );
    }
    const seen = new Set<string>();
    const entries = [...listing.entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      // The names come from the guest: one that is not a plain name, or that repeats, would let
      // the archive place entries outside (or through a symlink of) the tree it describes.
      if (!isPlainName(entry.name) || seen.has(entry.name)) {
        throw new AetherError(
          'ERR_AGENT_PROTOCOL',
          `the guest listed ${JSON.stringify(entry.name)} in ${dir}, which is not a name a directory can hold once`,
        );
      }
      seen.add(entry.name);
      const guestPath = childPath(dir, entry.name);
      const name = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      switch (entry.type) {
        case 'directory':
          await this.addEntry(directoryHeader(name, entry));
          await this.packDirectory(guestPath, name);
          break;
        case 'file':
          await this.addFile(guestPath, name);
          break;
        case 'symlink':
          await this.addEntry(symlinkHeader(name, await this.withTarget(entry, guestPath), guestPath));
          break;
        case 'other':
          break; // FIFOs, sockets and devices: nothing a copy can carry
      }
    }
  }

  private async withTarget(entry: FsEntry, guestPath: string): Promise<FsEntry> {
    return entry.target === undefined ? this.files.stat(this.vmId, guestPath) : entry;
  }

  /** One file, streamed: its header states the size at open, and exactly that many bytes follow. */
  private async addFile(guestPath: string, name: string): Promise<void> {
    this.checkNotStopped();
    const { entry, body } = await this.files.readFile(this.vmId, guestPath, { signal: this.stopped });
    // Its errors reach us through the iteration below; one raised after we stopped reading
    // (the cancelled download winding down) is of no interest to anyone.
    body.on('error', ignore);
    try {
      const size = entry.size;
      const header = fileHeader(name, entry);
      const { sink, done } = this.openEntry(header);
      let written = 0;
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        const piece = chunk.byteLength > size - written ? chunk.subarray(0, size - written) : chunk;
        written += piece.byteLength;
        if (piece.byteLength > 0 && !sink.write(piece)) await drained(sink, this.stopped);
        if (written === size) break; // grown since it was opened: the header already said how much
      }
      if (written < size) {
        throw new AetherError(
          'ERR_TRANSFER_ABORTED',
          `${guestPath} shrank while it was being read (${written} of ${size} bytes)`,
          { details: { path: guestPath, size, read: written } },
        );
      }
      sink.end();
      await done;
    } finally {
      body.destroy(); // a file cut short (or an error) must not keep the guest reading
    }
  }

  private async addEntry(header: PaxHeaders): Promise<void> {
    this.checkNotStopped();
    await this.openEntry(header).done;
  }

  private openEntry(header: PaxHeaders): { sink: Writable; done: Promise<void> } {
    let sink: Writable | undefined;
    const done = new Promise<void>((resolve, reject) => {
      sink = this.pack.entry(header, (error) => (error ? reject(error) : resolve()));
    });
    // The entry's outcome comes through its callback; the sink also emits it as an event.
    sink?.on('error', ignore);
    done.catch(() => {}); // awaited by the caller; an error while the caller waits elsewhere is not lost
    return { sink: sink as Writable, done };
  }

  private checkNotStopped(): void {
    if (this.stopped.aborted) throw this.stopped.reason;
  }
}

/** The name the archive gives `path` itself; empty when only its contents are packed (`dir/.`, `/`). */
function topEntryName(path: string): string {
  const base = posix.basename(path);
  return base === '.' || base === '..' ? '' : base;
}

function baseHeader(name: string, entry: FsEntry, type: keyof typeof TYPE_BITS): PaxHeaders {
  const seconds = Math.max(0, Math.floor(entry.mtimeMs / 1000));
  const header: PaxHeaders = {
    name,
    type,
    mode: TYPE_BITS[type] | (entry.mode & 0o7777),
    // tar-stream writes the seconds through a 32-bit integer: later times go in a pax record.
    mtime: new Date(Math.min(seconds, MAX_INT32_SECONDS) * 1000),
    uid: 0,
    gid: 0,
  };
  if (seconds > MAX_INT32_SECONDS) header.pax = { mtime: String(seconds) };
  return header;
}

function directoryHeader(name: string, entry: FsEntry): PaxHeaders {
  return { ...baseHeader(`${name}/`, entry, 'directory'), size: 0 };
}

function fileHeader(name: string, entry: FsEntry): PaxHeaders {
  const header: PaxHeaders = { ...baseHeader(name, entry, 'file'), size: entry.size };
  if (entry.size > MAX_USTAR_SIZE) header.pax = { ...header.pax, size: String(entry.size) };
  return header;
}

function symlinkHeader(name: string, entry: FsEntry, guestPath: string): PaxHeaders {
  if (entry.target === undefined || entry.target === '' || entry.target.includes('\0')) {
    throw new AetherError(
      'ERR_AGENT_PROTOCOL',
      `the guest gave no usable target for the symlink ${guestPath}`,
    );
  }
  return { ...baseHeader(name, { ...entry, mode: 0o777 }, 'symlink'), linkname: entry.target, size: 0 };
}

/** Resolves once `sink` takes writes again; rejects when the archive is stopped meanwhile. */
function drained(sink: Writable, stopped: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: unknown) => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      stopped.removeEventListener('abort', onStop);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = () => settle();
    const onClose = () =>
      settle(
        stopped.reason ??
          new AetherError('ERR_INTERNAL', 'the archive closed while a file was written to it'),
      );
    const onStop = () => settle(stopped.reason);
    sink.on('drain', onDrain);
    sink.on('close', onClose);
    stopped.addEventListener('abort', onStop, { once: true });
  });
}

function ignore(): void {}

function abortError(reason: unknown): AetherError {
  if (isAetherError(reason)) return reason;
  return new AetherError('ERR_TRANSFER_ABORTED', 'the download was cancelled', { cause: reason });
}

function asAetherError(error: unknown, path: string): AetherError {
  if (isAetherError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AetherError('ERR_INTERNAL', `packing ${path} failed: ${message}`, { cause: error });
}
