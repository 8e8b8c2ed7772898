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
 * The agent lives inside the untrusted zone: the host treats every byte it sends as hostile
 * (frame size cap, schema check of every message, timeouts on every request).
 */
import type { ErrorCode } from '../core/errors.js';

/** Bumped when a message changes incompatibly; `pong` reports the agent's. */
export const PROTOCOL_VERSION = 1;
export const AGENT_VERSION = `aether-agent/${PROTOCOL_VERSION}`;

/** Largest frame either side accepts (length prefix excluded). */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Largest stdin or file payload: its base64 form (4/3 larger) plus JSON must fit in one frame. */
export const MAX_PAYLOAD_BYTES = 5 * 1024 * 1024;
/** The agent splits stdout/stderr into chunks no larger than this. */
export const MAX_OUTPUT_CHUNK_BYTES = 256 * 1024;
export const MAX_ID_LENGTH = 64;
export const MAX_PATH_LENGTH = 4096;
export const MAX_ERROR_MESSAGE_LENGTH = 16 * 1024;
/** Upper bound for one command's run time; longer work belongs in a job of several steps. */
export const MAX_EXEC_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** Id the agent uses when it answers a frame whose own id it could not read. */
export const UNKNOWN_REQUEST_ID = '?';
/** Largest epoch time in ms a `clock` request may carry (JavaScript's own Date limit). */
export const MAX_EPOCH_MS = 8_640_000_000_000_000;

/** Signals the host may ask the agent to deliver to a command's process tree. */
export const AGENT_SIGNALS = [
  'SIGTERM',
  'SIGKILL',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
] as const;
export type AgentSignal = (typeof AGENT_SIGNALS)[number];

/** The only error codes an agent may send; anything else is a protocol violation. */
export const AGENT_ERROR_CODES = [
  'ERR_EXEC_SPAWN_FAILED',
  'ERR_AGENT_PROTOCOL',
  'ERR_NOT_FOUND',
  'ERR_VALIDATION',
  'ERR_BODY_TOO_LARGE',
  'ERR_UNSUPPORTED',
  'ERR_INTERNAL',
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
  /** The agent kills the whole process tree after this long and reports `timedOut`. */
  timeoutMs: number;
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

/** Write a file (parents created). Reply: `ok` or `error`. */
export interface PutMessage {
  type: 'put';
  id: string;
  /** Absolute, or relative to the VM home. */
  path: string;
  /** base64 */
  data: string;
  /** Permission bits; default 0o644. */
  mode?: number;
}

/** Read a file. Reply: `file` or `error` (ERR_NOT_FOUND, ERR_BODY_TOO_LARGE). */
export interface GetMessage {
  type: 'get';
  id: string;
  path: string;
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

export type HostMessage = ExecMessage | SignalMessage | PingMessage | PutMessage | GetMessage | ClockMessage;

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

export interface OkMessage {
  type: 'ok';
  id: string;
  /** Reply to `clock` only: the guest's time (epoch ms) just before and just after setting it. */
  beforeMs?: number;
  afterMs?: number;
}

export interface FileMessage {
  type: 'file';
  id: string;
  /** base64 */
  data: string;
}

export type AgentMessage =
  | StartedMessage
  | OutMessage
  | ExitMessage
  | ErrorMessage
  | PongMessage
  | OkMessage
  | FileMessage;
