/**
 * Files inside a VM, as every driver offers them through its guest agent. Paths are the guest's
 * own: absolute, or relative to the VM's home, and resolved by the agent inside the VM — the host
 * never builds a host path from them, so a symlink in the guest can only lead elsewhere in the
 * guest.
 *
 * Bodies are streams with backpressure end to end: a slow reader slows the guest's reads, a slow
 * guest slows the sender, and neither side buffers more than a window.
 */
import type { Readable } from 'node:stream';

export const FS_ENTRY_TYPES = ['file', 'directory', 'symlink', 'other'] as const;
export type FsEntryType = (typeof FS_ENTRY_TYPES)[number];

/** One path as the guest sees it (lstat: a symlink is reported as itself, with its target). */
export interface FsEntry {
  /** The base name for `stat`; the path relative to the listed directory for `list`. */
  name: string;
  type: FsEntryType;
  size: number;
  /** Permission bits (0o7777). */
  mode: number;
  mtimeMs: number;
  /** For a symlink: what it points to, unresolved. */
  target?: string;
}

export interface FsListing {
  entries: FsEntry[];
  /** True when the directory held more than the agent sends in one answer (MAX_LIST_ENTRIES). */
  truncated: boolean;
}

export interface WriteFileOptions {
  /** Permission bits; default 0o644. */
  mode?: number;
  /** Modification time to set once written (tar extraction keeps it). */
  mtimeMs?: number;
  /** Aborting removes what was written so far; the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface ReadFileOptions {
  signal?: AbortSignal;
}

/** A file being read out of a guest: its entry first, then its bytes as a stream. */
export interface FileDownload {
  entry: FsEntry;
  /** Ends after the last byte; errors (ERR_AGENT_UNREACHABLE, ...) if the transfer is cut. */
  body: Readable;
}

/**
 * File operations on one driver's VMs. Errors carry stable codes: ERR_FILE_NOT_FOUND,
 * ERR_NOT_A_DIRECTORY, ERR_IS_A_DIRECTORY, ERR_PERMISSION_DENIED, ERR_FILE_EXISTS,
 * ERR_DIRECTORY_NOT_EMPTY, ERR_VM_DISK_FULL (the partial file is removed), ERR_VM_NOT_FOUND.
 */
export interface GuestFiles {
  /**
   * Streams `source` into `path` (parents created). The bytes go to a temporary file beside the
   * target, which replaces the target only once every byte is on disk: a cut transfer or a full
   * disk never leaves a half-written file under the target's name.
   */
  writeFile(
    vmId: string,
    path: string,
    source: AsyncIterable<Uint8Array>,
    options?: WriteFileOptions,
  ): Promise<{ size: number }>;
  /** Opens a regular file for reading (ERR_IS_A_DIRECTORY for a directory). */
  readFile(vmId: string, path: string, options?: ReadFileOptions): Promise<FileDownload>;
  stat(vmId: string, path: string): Promise<FsEntry>;
  /** A directory's entries; with `recursive`, every entry below it (names are relative paths). */
  list(vmId: string, path: string, options?: { recursive?: boolean }): Promise<FsListing>;
  mkdir(vmId: string, path: string, options?: { parents?: boolean; mode?: number }): Promise<void>;
  /** A non-empty directory needs `recursive` (ERR_DIRECTORY_NOT_EMPTY otherwise). */
  remove(vmId: string, path: string, options?: { recursive?: boolean }): Promise<void>;
  rename(vmId: string, from: string, to: string): Promise<void>;
  /** Sets the permission bits exactly (follows a symlink, as chmod(2) does). */
  chmod(vmId: string, path: string, mode: number): Promise<void>;
  symlink(vmId: string, path: string, target: string): Promise<void>;
}
