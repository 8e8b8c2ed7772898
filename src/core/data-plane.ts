/**
 * The data plane: byte streams that must not pass through the store or the queue — file bodies,
 * a command's stdin — and signals that must reach a running command now. The gateway authorises
 * every call (tenancy, the VM's state) and then reaches the worker that owns the VM: in process
 * in `aether up`, over the worker's internal listener in a cluster. The worker relays to the
 * guest agent with flow control end to end.
 */
import type { Duplex, Readable } from 'node:stream';
import type { CommandSignal, TerminalSize } from './driver.js';
import type { FsEntry, FsListing } from './guest-files.js';
import type { TerminalAttachment, TerminalInfo, TerminalSpec } from './terminal.js';
import type { DriverName } from './vm.js';
import type { VmUsage } from './vm-usage.js';

/** The VM a call is about, as the gateway found it in the store. */
export interface DataPlaneVm {
  id: string;
  driver: DriverName;
}

/**
 * How a body travels: `raw` is one file's bytes; `tar` is a directory tree as a tar archive
 * (regular files, directories and symlinks, with modes and modification times).
 */
export type TransferFormat = 'raw' | 'tar';

export interface UploadOptions {
  format: TransferFormat;
  /** Permission bits of a raw file; default 0o644. */
  mode?: number;
  signal?: AbortSignal;
}

export interface UploadResult {
  /** Bytes written to files. */
  bytes: number;
  /** Files written (1 for a raw upload). */
  files: number;
}

export interface Download {
  /** What was asked for: a file (raw body) or a directory (tar body). */
  entry: FsEntry;
  format: TransferFormat;
  /** Bytes in a raw body, known up front; absent for tar. */
  size?: number;
  body: Readable;
}

export interface DownloadOptions {
  /** `tar` packs a single file into an archive too; default: raw for a file, tar for a directory. */
  format?: TransferFormat;
  signal?: AbortSignal;
}

export interface StdinResult {
  /** Bytes the command's stdin accepted. */
  bytes: number;
}

/** An execution running on the worker now. */
export interface RunningProcess {
  executionId: string;
  /** Its pid inside the VM; null while it is starting. */
  pid: number | null;
}

export interface DataPlane {
  upload(
    vm: DataPlaneVm,
    path: string,
    body: AsyncIterable<Uint8Array>,
    options: UploadOptions,
  ): Promise<UploadResult>;
  download(vm: DataPlaneVm, path: string, options?: DownloadOptions): Promise<Download>;
  stat(vm: DataPlaneVm, path: string): Promise<FsEntry>;
  list(vm: DataPlaneVm, path: string, options?: { recursive?: boolean }): Promise<FsListing>;
  mkdir(vm: DataPlaneVm, path: string, options?: { parents?: boolean }): Promise<void>;
  remove(vm: DataPlaneVm, path: string, options?: { recursive?: boolean }): Promise<void>;
  rename(vm: DataPlaneVm, from: string, to: string): Promise<void>;
  /** The executions of `vm` running now, as the worker sees them (not the store). */
  processes(vm: DataPlaneVm): Promise<RunningProcess[]>;
  /** What `vm` uses now, read by its driver (VmDriver.usage); nulls where it cannot tell. */
  usage(vm: DataPlaneVm): Promise<VmUsage>;
  /**
   * Delivers `signal` to a running execution's whole process tree. ERR_EXECUTION_NOT_RUNNING
   * when it is not running on this worker (ended, or not started yet).
   */
  signal(vm: DataPlaneVm, executionId: string, signal: CommandSignal): Promise<void>;
  /**
   * Feeds `body` to the stdin of an execution started with a streamed stdin, waiting briefly for
   * it to start; stdin closes when `body` ends. One feeder per execution (ERR_EXECUTION_NOT_RUNNING
   * for a second, or for an execution without a streamed stdin).
   */
  stdin(vm: DataPlaneVm, executionId: string, body: AsyncIterable<Uint8Array>): Promise<StdinResult>;

  /**
   * Opens a TCP connection to `127.0.0.1:port` inside the VM through its guest agent (see
   * guest-ports.ts). The worker closes it after its idle timeout.
   */
  connectPort(vm: DataPlaneVm, port: number, options?: { signal?: AbortSignal }): Promise<Duplex>;
  /** Starts a command on a terminal in the VM; it runs on whether or not anyone is attached. */
  openTerminal(vm: DataPlaneVm, spec: TerminalSpec): Promise<TerminalInfo>;
  /** The VM's terminal sessions on this worker, running or just ended. */
  terminals(vm: DataPlaneVm): Promise<TerminalInfo[]>;
  /** One terminal session; ERR_TERMINAL_NOT_FOUND when this worker does not hold it. */
  terminal(vm: DataPlaneVm, terminalId: string): Promise<TerminalInfo>;
  resizeTerminal(vm: DataPlaneVm, terminalId: string, size: TerminalSize): Promise<void>;
  /** Ends the session: its command gets SIGHUP, then SIGKILL after a grace. */
  closeTerminal(vm: DataPlaneVm, terminalId: string): Promise<void>;
  /** Attaches to a session: its recent output replayed, then live (see TerminalAttachment). */
  attachTerminal(vm: DataPlaneVm, terminalId: string): Promise<TerminalAttachment>;
}
