/**
 * A tar stream written into a directory of a VM, entry by entry, through the guest agent. The
 * archive comes from whoever uploads it, so every name is checked before it reaches the guest.
 */
import { extract as createExtract, type Headers } from 'tar-stream';
import { AetherError, isAetherError } from '../../core/errors.js';
import type { GuestFiles } from '../../core/guest-files.js';
import { childPath, entryComponents, refusedEntry } from './archive-entry-name.js';
import { ArchiveFeed } from './archive-feed.js';

export interface UnpackTreeOptions {
  /** Aborting stops the extraction; the file being written is removed, completed ones stay. */
  signal?: AbortSignal | undefined;
}

export interface UnpackTreeResult {
  /** Regular files written. */
  files: number;
  /** Bytes written to them. */
  bytes: number;
}

/** An archive entry as tar-stream yields it: a readable body with its header. */
interface ArchiveEntry extends AsyncIterable<Uint8Array> {
  header: Headers & { pax?: Record<string, string> | null };
  /** Where the entry's own header starts in the archive (tar-stream sets it on every entry). */
  offset?: number;
}

const BLOCK = 512;
/**
 * Owner read, write and search: what extraction needs of a directory to fill it. A directory
 * archived without them (0555, 0500) is made with them, and gets its exact mode once the whole
 * archive is in (an exact mode first would make it refuse its own contents wherever the agent
 * lacks CAP_DAC_OVERRIDE).
 */
const OWNER_RWX = 0o700;

/**
 * Extracts the tar stream `source` into the directory `path` of the VM (created with its parents
 * when missing). Entry names are relative to `path`.
 *
 * - Refused with ERR_VALIDATION naming the entry: absolute names, empty ones, names with NUL or a
 *   `..` component, and any entry whose path passes through a symlink this archive created
 *   (`x -> /etc`, then `x/passwd`). Refused too: hard links (their data lives in another entry,
 *   which may be anywhere) and entry types tar-stream does not know. FIFOs and devices are
 *   skipped: a copy carries data, and the packing side skips them as well.
 * - Directories are made with their parents and their permission bits, plus owner rwx so that a
 *   0555 directory does not block its own extraction (see OWNER_RWX); once every entry is in,
 *   such a directory gets its exact mode, deepest first. A directory that already exists keeps
 *   its mode. A `.` entry (the extraction directory itself) changes nothing.
 * - Files are streamed to the guest with their mode and modification time; the guest's slowness
 *   reaches the parser, then the sender.
 * - Symlinks replace what stands at their name (an empty directory, a file, an older symlink);
 *   their target is kept verbatim, to be resolved inside the guest.
 *
 * A cut archive — the source throws, or ends before the end-of-archive marker — rejects with
 * ERR_TRANSFER_ABORTED. The file being written then is not left half-written (writeFile writes
 * beside its target and renames only when complete); files completed before the cut stay.
 */
export async function unpackTree(
  files: GuestFiles,
  vmId: string,
  path: string,
  source: AsyncIterable<Uint8Array>,
  options: UnpackTreeOptions = {},
): Promise<UnpackTreeResult> {
  const { signal } = options;
  if (path === '' || path.includes('\0')) {
    throw new AetherError('ERR_VALIDATION', `${JSON.stringify(path)} is not a directory path`);
  }
  if (signal?.aborted) throw abortError(signal.reason);
  await files.mkdir(vmId, path, { parents: true });

  const extract = createExtract();
  const feed = new ArchiveFeed(source, extract);
  const extraction = new Extraction(files, vmId, path, signal);
  const onAbort = () => extract.destroy(abortError(signal?.reason));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const entry of extract as AsyncIterable<ArchiveEntry>) await extraction.add(entry);
    await feed.done;
    if (feed.bytes < extraction.archiveEnd + BLOCK) {
      throw new AetherError(
        'ERR_TRANSFER_ABORTED',
        'the archive ended before its end-of-archive marker: it was cut, and the last entries may be missing',
      );
    }
    await extraction.restoreDirectoryModes();
    return extraction.result();
  } catch (error) {
    extract.destroy();
    await feed.done;
    throw explain(error, feed, extraction, signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

class Extraction {
  private files = 0;
  private bytes = 0;
  /** Names (joined components) this archive created as symlinks: no later entry may pass through them. */
  private readonly symlinks = new Set<string>();
  /** Directories made without owner rwx, by name: their exact mode is set at the end. */
  private readonly narrowDirectories = new Map<string, { target: string; mode: number }>();
  /** The first refusal, so that the failure it causes elsewhere is not mistaken for the cause. */
  refusal: AetherError | undefined;
  /** Where the last entry's data ends in the archive. */
  archiveEnd = 0;

  constructor(
    private readonly guest: GuestFiles,
    private readonly vmId: string,
    private readonly root: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async add(entry: ArchiveEntry): Promise<void> {
    const { header } = entry;
    const size = header.size ?? 0;
    this.archiveEnd = (entry.offset ?? this.archiveEnd) + BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    const components = this.check(header.name, () => entryComponents(header.name));
    const name = components.join('/');
    this.check(header.name, () => this.refuseThroughSymlink(header.name, components));
    const target = components.length === 0 ? this.root : childPath(this.root, name);
    const mode = (header.mode ?? 0) & 0o7777;

    switch (header.type) {
      case 'directory':
        await discard(entry);
        if (components.length === 0) return;
        await this.removeArchiveSymlink(name, target);
        await this.guest.mkdir(this.vmId, target, { parents: true, mode: mode | OWNER_RWX });
        if ((mode | OWNER_RWX) !== mode) this.narrowDirectories.set(name, { target, mode });
        else this.narrowDirectories.delete(name);
        return;
      case 'file':
      case 'contiguous-file': {
        if (components.length === 0)
          throw this.refuse(header.name, 'is a file named like the directory itself');
        await this.removeArchiveSymlink(name, target);
        const written = await this.guest.writeFile(this.vmId, target, entry, {
          mode,
          mtimeMs: mtimeMs(header),
          ...(this.signal ? { signal: this.signal } : {}),
        });
        this.files += 1;
        this.bytes += written.size;
        return;
      }
      case 'symlink': {
        await discard(entry);
        if (components.length === 0)
          throw this.refuse(header.name, 'is a symlink named like the directory itself');
        const linkTarget = header.linkname ?? '';
        if (linkTarget === '' || linkTarget.includes('\0'))
          throw this.refuse(header.name, 'is a symlink without a usable target');
        // Parents as tar makes them (writeFile and mkdir make theirs); none is an archive symlink.
        if (components.length > 1) {
          await this.guest.mkdir(this.vmId, childPath(this.root, components.slice(0, -1).join('/')), {
            parents: true,
          });
        }
        await removeIfPresent(this.guest, this.vmId, target);
        await this.guest.symlink(this.vmId, target, linkTarget);
        this.symlinks.add(name);
        return;
      }
      case 'link':
        throw this.refuse(
          header.name,
          'is a hard link, which an upload cannot carry: archive the file itself',
        );
      case 'character-device':
      case 'block-device':
      case 'fifo':
        await discard(entry);
        return;
      default:
        throw this.refuse(
          header.name,
          `has an entry type this extraction does not know (${String(header.type)})`,
        );
    }
  }

  /**
   * Gives the directories made with borrowed owner bits their exact mode, deepest first (a
   * parent closed first would lock its children out). One a later entry replaced by a symlink
   * is left alone: chmod would follow the link.
   */
  async restoreDirectoryModes(): Promise<void> {
    const deepestFirst = [...this.narrowDirectories].sort(
      ([a], [b]) => b.split('/').length - a.split('/').length,
    );
    for (const [name, { target, mode }] of deepestFirst) {
      if (this.symlinks.has(name)) continue;
      await this.guest.chmod(this.vmId, target, mode);
    }
  }

  result(): UnpackTreeResult {
    return { files: this.files, bytes: this.bytes };
  }

  private refuseThroughSymlink(entryName: string, components: string[]): void {
    for (let end = 1; end < components.length; end++) {
      const ancestor = components.slice(0, end).join('/');
      if (this.symlinks.has(ancestor)) {
        throw refusedEntry(
          entryName,
          `is refused: it would be written through the symlink ${JSON.stringify(ancestor)} of the same archive`,
        );
      }
    }
  }

  /** An entry replacing a symlink of this archive replaces the link itself, never what it points to. */
  private async removeArchiveSymlink(name: string, target: string): Promise<void> {
    if (!this.symlinks.delete(name)) return;
    await removeIfPresent(this.guest, this.vmId, target);
  }

  private check<T>(entryName: string, validate: () => T): T {
    try {
      return validate();
    } catch (error) {
      if (isAetherError(error)) this.refusal ??= error;
      else this.refusal ??= refusedEntry(entryName, 'is refused');
      throw this.refusal;
    }
  }

  private refuse(entryName: string, why: string): AetherError {
    const error = refusedEntry(entryName, why);
    this.refusal ??= error;
    return error;
  }
}

async function removeIfPresent(files: GuestFiles, vmId: string, path: string): Promise<void> {
  try {
    await files.remove(vmId, path);
  } catch (error) {
    if (!isAetherError(error, 'ERR_FILE_NOT_FOUND')) throw error;
  }
}

/** Reads an entry's body to its end, so that the parser moves on to the next header. */
async function discard(entry: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _chunk of entry) {
    // nothing to keep
  }
}

/** The entry's modification time: a pax `mtime` (fractional seconds) when present, else the header's. */
function mtimeMs(header: ArchiveEntry['header']): number | undefined {
  const pax = Number.parseFloat(header.pax?.mtime ?? '');
  if (Number.isFinite(pax)) return Math.round(pax * 1000);
  return header.mtime?.getTime();
}

/** Sorts a failure: the archive's own refusal first, then a cut transfer, then a malformed archive. */
function explain(
  error: unknown,
  feed: ArchiveFeed,
  extraction: Extraction,
  signal: AbortSignal | undefined,
): AetherError {
  if (extraction.refusal) return extraction.refusal;
  if (signal?.aborted) return abortError(signal.reason);
  if (feed.sourceError !== undefined) {
    return new AetherError('ERR_TRANSFER_ABORTED', 'the archive stream was cut before its end', {
      cause: feed.sourceError,
    });
  }
  if (feed.parserError !== undefined) {
    const parser = feed.parserError;
    if (isAetherError(parser)) return parser;
    const message = parser instanceof Error ? parser.message : String(parser);
    // tar-stream's words for data that stops inside an entry or its header.
    if (message === 'Unexpected end of data') {
      return new AetherError('ERR_TRANSFER_ABORTED', 'the archive ended in the middle of an entry', {
        cause: parser,
      });
    }
    return new AetherError('ERR_VALIDATION', `the upload is not a readable tar archive: ${message}`, {
      cause: parser,
    });
  }
  if (isAetherError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AetherError('ERR_INTERNAL', `extracting the archive failed: ${message}`, { cause: error });
}

function abortError(reason: unknown): AetherError {
  if (isAetherError(reason)) return reason;
  return new AetherError('ERR_TRANSFER_ABORTED', 'the upload was cancelled', { cause: reason });
}
