import type { GuestFiles } from './guest-files.js';
import type { GuestPorts } from './guest-ports.js';
import type { NetworkAttachment } from './network-attachment.js';
import type { DriverName, IsolationInfo } from './vm.js';
import type { VmProbeResult } from './vm-health.js';
import type { VmUsage } from './vm-usage.js';

export interface VmSpec {
  id: string;
  name: string;
  vcpus: number;
  memoryMiB: number;
  /** Guest image for drivers that boot one (a Docker image name); others refuse it. */
  image?: string;
  /** Outbound network access; default none (loopback only). */
  network?: boolean;
  /**
   * For a driver with `tapNetwork`: the TAP, MAC and address the worker leased to this VM on the
   * host bridge (given when `network` is true). Data only: the driver opens the TAP, nothing more.
   */
  networkAttachment?: NetworkAttachment;
}

export interface ExecRequest {
  /** argv[0] is looked up on the guest's PATH; no shell is involved unless argv names one. */
  argv: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** Working directory inside the VM; default is the VM's home/workspace. */
  cwd?: string;
  /**
   * Bytes written to stdin, which is then closed; or a stream fed to stdin as it comes, with
   * backpressure (the command reading slowly slows the source), closed when it ends. Without it
   * stdin is empty.
   */
  stdin?: Uint8Array | AsyncIterable<Uint8Array>;
  /** Kill the command's whole process tree after this long. */
  timeoutMs: number;
  /**
   * Run the command on a pseudo-terminal of this size, as its controlling terminal: what it writes
   * to stdout and stderr arrives as stdout (the terminal's output, echo included), its input is
   * `stdin` (which must then be a stream), and line editing, job control, Ctrl-C (byte 0x03
   * becomes SIGINT for the foreground job) and full-screen programs behave as on a local
   * terminal. `RunningCommand.resize` changes the size later (the command gets SIGWINCH).
   */
  tty?: TerminalSize;
}

/** A terminal's size in character cells. */
export interface TerminalSize {
  cols: number;
  rows: number;
}

/** Largest width or height a terminal may be given, in cells. */
export const MAX_TERMINAL_CELLS = 2000;

export interface ExecOutput {
  /** Once the command runs: its pid in the guest, and a way to signal its process tree. */
  onStarted?(command: RunningCommand): void;
  /**
   * With `tty`, output is flow-controlled end to end: when this returns a promise, the guest sends
   * at most a window more until it settles, so a consumer that cannot keep up (a slow client)
   * slows the command instead of growing a buffer anywhere.
   */
  onStdout?(chunk: Uint8Array): void | Promise<void>;
  onStderr?(chunk: Uint8Array): void;
}

/** A command that runs, as its caller may reach it while `exec` is pending. */
export interface RunningCommand {
  pid: number;
  /** Delivers `signal` to the command's whole process tree (best effort; `exec` reports the end). */
  signal(signal: CommandSignal): void;
  /** Present for a command on a terminal (`tty`): sets the terminal's size (SIGWINCH in the guest). */
  resize?(size: TerminalSize): void;
}

/** Signals a caller may send to a running command. */
export const COMMAND_SIGNALS = [
  'SIGTERM',
  'SIGKILL',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
] as const;
export type CommandSignal = (typeof COMMAND_SIGNALS)[number];

export interface ExecResult {
  /** Null when the process was ended by a signal. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /**
   * OOM kills the guest's own kernel counted while the command ran (microVM drivers read it to
   * tell a command killed for memory); absent where the agent did not say.
   */
  guestOomKills?: number;
}

export type DriverVmState = 'created' | 'running' | 'stopped' | 'missing';

export interface DriverVmInfo {
  id: string;
  state: DriverVmState;
  /** Backend detail worth showing to a person (pid, container id, ...). */
  detail?: Record<string, unknown>;
}

/** What a driver kept of a VM at one instant: enough to start new VMs from it. */
export interface DriverSnapshotInfo {
  id: string;
  sourceVmId: string;
  /** The machine shape a VM made from it must have (memory and device state are saved as-is). */
  vcpus: number;
  memoryMiB: number;
  /** Guest image the source VM booted, when the driver knows it. */
  imageId: string | null;
  /** Where the driver keeps the snapshot on its host (a directory), for people and cleanup. */
  path: string;
  sizeBytes: number;
  durationMs: number;
}

export interface DriverHealth {
  ok: boolean;
  message: string;
}

/**
 * One isolation backend. Rules every implementation keeps:
 * - It owns every resource it makes (processes, files, sockets) and `destroy` leaves none behind,
 *   also after a host restart (`list` finds what a previous process made).
 * - `exec` streams output as it comes, distinguishes a command that could not start
 *   (ERR_EXEC_SPAWN_FAILED) from one that exited non-zero, and on timeout or abort kills the
 *   command's whole process tree before it returns.
 * - Settings come in through the factory; a driver never reads `process.env`.
 * - Unsupported features throw ERR_UNSUPPORTED; a VM it does not know throws ERR_VM_NOT_FOUND.
 */
export interface VmDriver {
  readonly name: DriverName;
  readonly isolation: IsolationInfo;
  /**
   * True when VMs created with `network: true` join the host bridge through a TAP: the worker
   * then leases one and passes it as `spec.networkAttachment`. Absent or false: the driver
   * networks its VMs itself (Docker networks, QEMU user mode).
   */
  readonly tapNetwork?: boolean;
  /** Allocates the VM's resources; idempotent per id. */
  create(spec: VmSpec, signal?: AbortSignal): Promise<void>;
  /** Boots the VM and waits until its agent answers; idempotent when already running. */
  start(id: string, signal?: AbortSignal): Promise<void>;
  exec(id: string, request: ExecRequest, output?: ExecOutput, signal?: AbortSignal): Promise<ExecResult>;
  /** Files inside this driver's VMs, through the guest agent (see guest-files.ts). */
  readonly files: GuestFiles;
  /**
   * TCP connections to ports inside this driver's VMs, carried by the guest agent, so a VM with
   * no network at all still serves (see guest-ports.ts). Absent on drivers that cannot.
   */
  readonly ports?: GuestPorts;
  /** Graceful stop, then force after `graceMs`. Files survive; a later `start` resumes them. */
  stop(id: string, options?: { graceMs?: number }): Promise<void>;
  /** Stops if needed and removes everything; idempotent. */
  destroy(id: string): Promise<void>;
  status(id: string): Promise<DriverVmInfo>;
  /**
   * What a running VM uses now (CPU time, memory, disk, processes); a figure the driver cannot
   * read is null rather than a guess. ERR_VM_NOT_FOUND for a VM it does not have. Absent on
   * drivers that cannot read any: callers answer a sample of nulls.
   */
  usage?(id: string): Promise<VmUsage>;
  /**
   * One health look at a VM the store says runs: is its sandbox up, and does its agent answer a
   * ping within `timeoutMs`? Rules:
   * - An agent busy with commands still answers: a running command never makes a VM look dead.
   * - A dead VM comes with the reason the driver can prove (its sandbox gone, the OOM killer, the
   *   VMM exited, else the agent); one look is not a verdict, the caller confirms.
   * - It throws only when it cannot tell (the backend itself is unreachable): not a verdict either.
   * Absent on drivers that cannot: their VMs are not health-checked.
   */
  probe?(id: string, options?: { timeoutMs?: number }): Promise<VmProbeResult>;
  /**
   * Freezes a running VM where it stands: its processes stop getting CPU but keep their memory,
   * files and open connections; the agent answers nothing until `resume`. Idempotent. Absent on
   * drivers that cannot (callers refuse with ERR_UNSUPPORTED); a process-driver VM without
   * cgroup limits throws ERR_UNSUPPORTED.
   */
  pause?(id: string): Promise<void>;
  /**
   * Lets a paused VM run on from where it stood, or wakes a hibernated one from its saved state.
   * Idempotent.
   */
  resume?(id: string): Promise<void>;
  /**
   * Hibernates a running or paused VM: saves its memory and device state beside its disk, then
   * ends its VMM, so it holds no RAM and no CPU. Rules:
   * - `resume` (and `start`) wake it from that state: its processes, memory and files as they
   *   were, its agent answering, its clock set to the host's; the saved state is removed then.
   * - Meanwhile `status` says `stopped` with `detail.hibernated: true`, and `list` still lists it.
   * - `stop` ends it as it would a running VM (with a grace period: woken, then shut down, so
   *   nothing the guest wrote is lost; without one: the saved memory is dropped), and a later
   *   `start` boots afresh; `destroy` removes it.
   * - Idempotent: a VM already hibernated stays so. A VM with neither a VMM nor a saved state
   *   throws ERR_VM_NOT_RUNNING; a VM on a host bridge TAP may throw ERR_UNSUPPORTED.
   * Absent on drivers that cannot save a VM's memory: callers pause instead.
   */
  hibernate?(id: string, signal?: AbortSignal): Promise<void>;
  list(): Promise<DriverVmInfo[]>;
  health(): Promise<DriverHealth>;
  /**
   * Saves a running VM's memory, device state and disk under `snapshotId` (letters, digits, `_`
   * and `-`), then lets the VM run on. Rules:
   * - The VM is paused for the whole save, so memory and disk are one consistent instant; it
   *   resumes even when the save fails.
   * - Idempotent per `snapshotId`: a snapshot already complete is returned as it is.
   * - A VM that is not running throws ERR_VM_NOT_RUNNING; a VM whose network cannot be carried
   *   to a copy (a host bridge TAP) throws ERR_UNSUPPORTED.
   * Absent on drivers that cannot: callers check for it and refuse with ERR_UNSUPPORTED.
   */
  snapshot?(vmId: string, snapshotId: string, signal?: AbortSignal): Promise<DriverSnapshotInfo>;
  /**
   * Creates and starts `spec.id` from a snapshot instead of booting: when it resolves the VM is
   * running, its agent answers, its clock is the host's and its hostname is `spec.name`.
   * `spec.vcpus` and `spec.memoryMiB` must equal the snapshot's (ERR_VALIDATION otherwise); the
   * snapshot's network setting wins over the spec's. Writes go to the new VM's own disk; the
   * snapshot is never modified, so any number of VMs can come from it. Idempotent per `spec.id`.
   * A snapshot this driver does not hold throws ERR_SNAPSHOT_NOT_FOUND.
   */
  createFromSnapshot?(spec: VmSpec, snapshotId: string, signal?: AbortSignal): Promise<void>;
  /**
   * Removes a snapshot's files from this host; idempotent (an unknown id is not an error).
   * VMs already made from it keep running: a driver whose restored VMs still read the
   * snapshot's files (a disk overlay) keeps what they need until the last of them is destroyed,
   * or refuses with ERR_SNAPSHOT_IN_USE. Present exactly when `snapshot` is.
   */
  deleteSnapshot?(snapshotId: string): Promise<void>;
  /** Releases connections held by this process; VMs keep running. */
  close(): Promise<void>;
}
