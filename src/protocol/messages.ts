/**
 * The guest-agent wire contract, written down once. Agent and host both derive their validators
 * from these types (see `validate.ts`).
 *
 * Transport: one byte stream (Unix socket, vsock, virtio-serial) carrying frames; each frame is a
 * 4-byte big-endian length followed by that many bytes of UTF-8 JSON holding one message. On a
 * stream with no connection semantics (virtio-serial), the host first sends a SYNC marker and
 * waits for the agent to echo it; see `framing.ts`.
 * Every message has a request `id` chosen by the host; replies carry the id of their request, so
 * many requests (concurrent execs, pings, file transfers) share one connection.
 * Binary data (stdin, stdout/stderr chunks, file contents) travels as base64 strings.
 *
 * Streams (an upload's body, a download's body, streamed stdin, both directions of a port
 * tunnel) travel as `data` frames on the id of the request that opened them, with flow control:
 * the receiver grants the sender `credit` as it consumes what it got, each stream starting with
 * INITIAL_WINDOW_BYTES of it, so neither side ever holds more than a window of one stream,
 * whatever the other does. A terminal exec's output (`out` on stdout) is flow-controlled the same
 * way, with a window of TTY_OUTPUT_WINDOW_BYTES and `credit` from the host on the exec's id.
 *
 * The agent lives inside the untrusted zone: the host treats every byte it sends as hostile
 * (frame size cap, schema check of every message, timeouts on every request).
 */
import { COMMAND_SIGNALS, type CommandSignal, type TerminalSize } from '../core/driver.js';
import type { ErrorCode } from '../core/errors.js';
import type { FsEntry } from '../core/guest-files.js';

/** Bumped when a message changes incompatibly; `pong` reports the agent's. */
export const PROTOCOL_VERSION = 3;
export const AGENT_VERSION = `aether-agent/${PROTOCOL_VERSION}`;

/** Largest frame either side accepts (length prefix excluded). */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Largest one-shot stdin: its base64 form (4/3 larger) plus JSON must fit in one frame. */
export const MAX_PAYLOAD_BYTES = 5 * 1024 * 1024;
/** Largest decoded payload of one `data` frame. */
export const DATA_CHUNK_BYTES = 256 * 1024;
/** Credit every stream starts with: what a sender may send before the receiver grants more. */
export const INITIAL_WINDOW_BYTES = 4 * 1024 * 1024;
/** Largest `credit` grant; a receiver never grants more than it was sent, so never more than this. */
export const MAX_CREDIT_BYTES = 1024 * 1024 * 1024;
/** Most entries one `list` answer holds (`truncated` says when there were more). */
export const MAX_LIST_ENTRIES = 10_000;
/** The agent splits stdout/stderr into chunks no larger than this. */
export const MAX_OUTPUT_CHUNK_BYTES = 256 * 1024;
/**
 * A terminal exec's output the agent may send before the host grants more: small, since a person
 * at a terminal wants Ctrl-C to stop a flood at once rather than after megabytes already on the way.
 */
export const TTY_OUTPUT_WINDOW_BYTES = 256 * 1024;
export const MAX_ID_LENGTH = 64;
export const MAX_PATH_LENGTH = 4096;
export const MAX_ERROR_MESSAGE_LENGTH = 16 * 1024;
/** Upper bound for one command's run time; longer work belongs in a job of several steps. */
export const MAX_EXEC_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** Id the agent uses when it answers a frame whose own id it could not read. */
export const UNKNOWN_REQUEST_ID = '?';
/** Largest epoch time in ms a `clock` request may carry (JavaScript's own Date limit). */
export const MAX_EPOCH_MS = 8_640_000_000_000_000;

/** Signals the host may ask the agent to deliver to a command's process tree: the driver contract's. */
export const AGENT_SIGNALS = COMMAND_SIGNALS;
export type AgentSignal = CommandSignal;

/** The only error codes an agent may send; anything else is a protocol violation. */
export const AGENT_ERROR_CODES = [
  'ERR_EXEC_SPAWN_FAILED',
  'ERR_AGENT_PROTOCOL',
  'ERR_NOT_FOUND',
  'ERR_VALIDATION',
  'ERR_BODY_TOO_LARGE',
  'ERR_UNSUPPORTED',
  'ERR_INTERNAL',
  'ERR_FILE_NOT_FOUND',
  'ERR_NOT_A_DIRECTORY',
  'ERR_IS_A_DIRECTORY',
  'ERR_PERMISSION_DENIED',
  'ERR_FILE_EXISTS',
  'ERR_DIRECTORY_NOT_EMPTY',
  'ERR_VM_DISK_FULL',
  'ERR_TRANSFER_ABORTED',
  'ERR_PORT_UNREACHABLE',
] as const satisfies readonly ErrorCode[];
export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[number];

// ── host → agent ────────────────────────────────────────────────────────────────────────────

/** Run a command. Replies: `started`, then `out`*, then `exit`; or one `error`. */
export interface ExecMessage {
  type: 'exec';
  id: string;
  /** argv[0] is resolved on PATH; never run through a shell. */
  argv: string[];
  /** Added to the agent's defaults (PATH, HOME, LANG). */
  env?: Record<string, string>;
  /** Default: the VM home. */
  cwd?: string;
  /** base64; written to stdin, which is then closed. */
  stdin?: string;
  /**
   * Stdin stays open and is fed by `data` frames on this exec's id (with `credit` back as the
   * command reads them); a `data` frame with `end` closes it. Excludes `stdin`.
   */
  stdinStream?: true;
  /**
   * Run the command on a pseudo-terminal of this size (each 1..MAX_TERMINAL_CELLS), as its
   * controlling terminal; requires `stdinStream`. Its stdout and stderr both arrive as `out` on
   * stdout (the terminal's output, with the echo of the input), sent only within the host's
   * credit: TTY_OUTPUT_WINDOW_BYTES at first, then what the host grants with `credit` on this id.
   * The `exit` follows all of that output (the last screen matters), unless `timeoutMs` passes
   * first while it waits for credit: then the rest is dropped and the exit says `timedOut`. A
   * command killed by a signal exits with 128 + its number, as a shell reports it (the agent sees
   * only the terminal's own process, util-linux `script`). `resize` changes the size later.
   */
  tty?: TerminalSize;
  /** The agent kills the whole process tree after this long and reports `timedOut`. */
  timeoutMs: number;
}

/**
 * Set the terminal size of the running terminal exec `id` (the command gets SIGWINCH). No reply;
 * ignored for an id the agent does not know or an exec without `tty`. Resizes apply in order,
 * and one that comes while another runs is overtaken by the next: the last one wins.
 */
export interface ResizeMessage {
  type: 'resize';
  id: string;
  cols: number;
  rows: number;
}

/**
 * Open a TCP connection to `port` (1..65535) inside the guest: 127.0.0.1 first, then ::1 when
 * that is refused (a server bound to `localhost` may listen on ::1 only). Replies `ok` once
 * connected, or `error` ERR_PORT_UNREACHABLE (refused, or no answer within a few seconds).
 * Then the tunnel carries bytes both ways as `data` frames on this id, each direction with its
 * own INITIAL_WINDOW_BYTES of credit: the agent grants the host's bytes back once the socket took
 * them, and sends the app's bytes only within the host's credit (the app's writes block
 * meanwhile). `data` with `end` half-closes that direction (the other side reads EOF).
 * It ends with one more frame from the agent, after which it forgets the id:
 * - `ok`: both directions ended and the socket closed cleanly;
 * - `error` ERR_TRANSFER_ABORTED: the socket failed or closed before both directions ended (the
 *   app reset or closed it); what the app sent before is delivered first only up to the credit;
 * - nothing after the host's `cancel`, which closes the socket at once (both directions).
 */
export interface ConnectMessage {
  type: 'connect';
  id: string;
  port: number;
}

/** Deliver a signal to the process tree of the running exec `id`. No reply; `exit` follows. */
export interface SignalMessage {
  type: 'signal';
  id: string;
  signal: AgentSignal;
}

/** Liveness check. Reply: `pong`. */
export interface PingMessage {
  type: 'ping';
  id: string;
}

/** What the guest uses now, as its own kernel counts it. Reply: `usage`. */
export interface UsageRequestMessage {
  type: 'usage';
  id: string;
}

/**
 * A chunk of a stream: an upload's body or streamed stdin (host → agent), a download's body
 * (agent → host), a port tunnel's bytes (both ways). The sender never has more unacknowledged
 * bytes than the receiver's credit.
 */
export interface DataMessage {
  type: 'data';
  id: string;
  /**
   * At most DATA_CHUNK_BYTES; may be empty on the last frame. On a socket it travels as a binary
   * frame (no JSON, no base64: see framing.ts); on a serial line as base64 in JSON.
   */
  data: Uint8Array;
  /** The stream's last frame. */
  end?: true;
}

/**
 * The receiver of stream `id` consumed `bytes` more: the sender may send that much more. From the
 * host on a terminal exec's id, it is credit for the terminal's output.
 */
export interface CreditMessage {
  type: 'credit';
  id: string;
  bytes: number;
}

/**
 * Begin an upload to `path` (parents created); its body follows as `data` frames. The agent
 * writes a temporary file beside the target and renames it over the target only after the last
 * byte is on disk. Reply: `ok` with `size`, or `error` (the temporary file removed).
 */
export interface WriteMessage {
  type: 'write';
  id: string;
  /** Absolute, or relative to the VM home. */
  path: string;
  /** Permission bits; default 0o644 (the umask does not narrow them). */
  mode?: number;
  /** Modification time to set, epoch ms. */
  mtimeMs?: number;
}

/**
 * Read a regular file (a symlink is followed). Replies: `entry`, then `data` frames while the
 * host grants credit, until EOF (the last one has `end`); or one `error`.
 */
export interface ReadMessage {
  type: 'read';
  id: string;
  path: string;
}

/**
 * Abandon the transfer `id`. An upload's temporary file is removed, then the agent replies
 * `error` ERR_TRANSFER_ABORTED; a download stops, and a port tunnel's socket is closed, without a
 * reply. Ignored for an id the agent does not know (a transfer that already ended).
 */
export interface CancelMessage {
  type: 'cancel';
  id: string;
}

/** lstat one path. Reply: `entry` or `error`. */
export interface StatMessage {
  type: 'stat';
  id: string;
  path: string;
}

/** A directory's entries (recursive: all below it, symlinks not followed). Reply: `entries`. */
export interface ListMessage {
  type: 'list';
  id: string;
  path: string;
  recursive?: boolean;
}

/** Reply: `ok` or `error`. */
export interface MkdirMessage {
  type: 'mkdir';
  id: string;
  path: string;
  /** Create missing parents, and accept an existing directory. */
  parents?: boolean;
  /** Permission bits of the new directory; default 0o755. */
  mode?: number;
}

/** Never follows a symlink: the link itself is removed. Reply: `ok` or `error`. */
export interface RemoveMessage {
  type: 'remove';
  id: string;
  path: string;
  /** Needed for a non-empty directory (ERR_DIRECTORY_NOT_EMPTY otherwise). */
  recursive?: boolean;
}

/**
 * Sets the permission bits of `path` exactly (no umask), following a symlink as chmod(2) does.
 * Reply: `ok` or `error`.
 */
export interface ChmodMessage {
  type: 'chmod';
  id: string;
  path: string;
  mode: number;
}

/** Reply: `ok` or `error`. */
export interface RenameMessage {
  type: 'rename';
  id: string;
  from: string;
  to: string;
}

/** Create `path` as a symlink to `target` (stored as given). Reply: `ok` or `error`. */
export interface SymlinkMessage {
  type: 'symlink';
  id: string;
  path: string;
  target: string;
}

/**
 * Set the guest's clock to the host's (after a boot or a resume the guest clock may be far off).
 * Reply: `ok` with `beforeMs`/`afterMs`, or `error` ERR_UNSUPPORTED when the agent may not set
 * the clock (it is not root).
 */
export interface ClockMessage {
  type: 'clock';
  id: string;
  /** The host's time, ms since the Unix epoch. */
  epochMs: number;
}

export type HostMessage =
  | ExecMessage
  | ResizeMessage
  | ConnectMessage
  | SignalMessage
  | PingMessage
  | UsageRequestMessage
  | ClockMessage
  | DataMessage
  | CreditMessage
  | WriteMessage
  | ReadMessage
  | CancelMessage
  | StatMessage
  | ListMessage
  | MkdirMessage
  | RemoveMessage
  | RenameMessage
  | ChmodMessage
  | SymlinkMessage;

// ── agent → host ────────────────────────────────────────────────────────────────────────────

export interface StartedMessage {
  type: 'started';
  id: string;
  /** Pid inside the guest. */
  pid: number;
}

export interface OutMessage {
  type: 'out';
  id: string;
  stream: 'stdout' | 'stderr';
  /** base64 */
  data: string;
}

export interface ExitMessage {
  type: 'exit';
  id: string;
  /** Null when the process was ended by a signal. */
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  /**
   * Processes the guest kernel's OOM killer ended while the command ran (`oom_kill` of
   * /proc/vmstat, the kernel's own count). Telling only where the guest has a kernel of its own
   * (microVMs): a sandbox on the host's kernel sees the host's count. Absent from older agents.
   */
  oomKills?: number;
}

/** A request failed. For `exec` this means the command never ran (distinct from a non-zero exit). */
export interface ErrorMessage {
  type: 'error';
  id: string;
  code: AgentErrorCode;
  message: string;
}

export interface PongMessage {
  type: 'pong';
  id: string;
  version: string;
}

/**
 * Reply to `usage`: the whole guest's figures, each null where it could not be read. Telling
 * where the guest has a kernel of its own (microVMs); a sandbox on the host's kernel would
 * report the host's.
 */
export interface UsageMessage {
  type: 'usage';
  id: string;
  /** CPU time not idle since the guest booted (user, nice, system, irq, softirq), in seconds. */
  cpuSeconds: number | null;
  /** MemTotal − MemAvailable, in bytes. */
  memoryBytes: number | null;
  /** Used bytes of the file system holding the home. */
  diskBytes: number | null;
  /** Processes (pids under /proc). */
  processes: number | null;
}

/** Reply to the file verbs and `clock`; for `connect`, first "connected", then "closed cleanly". */
export interface OkMessage {
  type: 'ok';
  id: string;
  /** Reply to `clock` only: the guest's time (epoch ms) just before and just after setting it. */
  beforeMs?: number;
  afterMs?: number;
  /** Reply to `write` only: the bytes written. */
  size?: number;
}

/** Reply to `stat`, and the first reply to `read`. */
export interface EntryMessage {
  type: 'entry';
  id: string;
  entry: FsEntry;
}

/** Reply to `list`. */
export interface EntriesMessage {
  type: 'entries';
  id: string;
  entries: FsEntry[];
  /** More entries existed than one answer holds (MAX_LIST_ENTRIES, or MAX_FRAME_BYTES). */
  truncated: boolean;
}

export type AgentMessage =
  | StartedMessage
  | OutMessage
  | ExitMessage
  | ErrorMessage
  | PongMessage
  | UsageMessage
  | OkMessage
  | EntryMessage
  | EntriesMessage
  | DataMessage
  | CreditMessage;
