/**
 * Schema checks for both directions. Hand-written (no schema library) because the agent is
 * bundled with node: builtins only. Every check rejects unknown shapes instead of guessing.
 */
import { MAX_TERMINAL_CELLS, type TerminalSize } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import { FS_ENTRY_TYPES, type FsEntry } from '../core/guest-files.js';
import { MAX_GUEST_PORT, MIN_GUEST_PORT } from '../core/guest-ports.js';
import {
  AGENT_ERROR_CODES,
  AGENT_SIGNALS,
  type AgentMessage,
  DATA_CHUNK_BYTES,
  type DataMessage,
  type HostMessage,
  MAX_CREDIT_BYTES,
  MAX_EPOCH_MS,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_EXEC_TIMEOUT_MS,
  MAX_ID_LENGTH,
  MAX_LIST_ENTRIES,
  MAX_PATH_LENGTH,
} from './messages.js';

type Fields = Record<string, unknown>;

/** Thrown for a message that decodes but breaks the contract; carries the request id if any. */
export class MessageError extends AetherError {
  readonly requestId: string | null;

  constructor(message: string, requestId: string | null) {
    super('ERR_AGENT_PROTOCOL', message, requestId === null ? undefined : { details: { requestId } });
    this.requestId = requestId;
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(id: string | null, message: string): never {
  throw new MessageError(message, id);
}

function str(m: Fields, key: string, id: string | null, max: number): string {
  const value = m[key];
  if (typeof value !== 'string') fail(id, `field "${key}" must be a string`);
  if (value.length > max) fail(id, `field "${key}" is longer than ${max} characters`);
  return value;
}

function base64(m: Fields, key: string, id: string | null): string {
  const value = m[key];
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
    fail(id, `field "${key}" must be base64`);
  }
  return value;
}

/** Bytes a base64 string decodes to (it passed `base64`). */
export function base64Bytes(value: string): number {
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  return (value.length / 4) * 3 - padding;
}

/** Largest base64 length of one `data` frame's payload. */
const MAX_DATA_BASE64 = Math.ceil(DATA_CHUNK_BYTES / 3) * 4;

function int(m: Fields, key: string, id: string | null, min: number, max: number): number {
  const value = m[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(id, `field "${key}" must be an integer in [${min}, ${max}]`);
  }
  return value;
}

function finite(m: Fields, key: string, id: string | null, min: number, max: number): number {
  const value = m[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(id, `field "${key}" must be a number in [${min}, ${max}]`);
  }
  return value;
}

function flag(m: Fields, key: string, id: string | null): boolean {
  const value = m[key];
  if (typeof value !== 'boolean') fail(id, `field "${key}" must be a boolean`);
  return value;
}

function oneOf<T extends string>(m: Fields, key: string, id: string | null, allowed: readonly T[]): T {
  const value = m[key];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(id, `field "${key}" must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function stringMap(m: Fields, key: string, id: string | null): Record<string, string> {
  const value = m[key];
  if (!isRecord(value)) fail(id, `field "${key}" must be an object of strings`);
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    // An env name with "=" or NUL would be split differently by the kernel than we intend.
    if (k.length === 0 || k.includes('=') || k.includes('\0') || typeof v !== 'string' || v.includes('\0')) {
      fail(id, `field "${key}" has an invalid entry "${k}"`);
    }
    out[k] = v;
  }
  return out;
}

function path(m: Fields, key: string, id: string | null): string {
  const value = str(m, key, id, MAX_PATH_LENGTH);
  if (value.length === 0 || value.includes('\0')) fail(id, `field "${key}" must be a non-empty path`);
  return value;
}

function header(value: unknown): { m: Fields; type: string; id: string } {
  if (!isRecord(value)) fail(null, 'message must be a JSON object');
  const id = value.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    fail(null, `field "id" must be a string of 1..${MAX_ID_LENGTH} characters`);
  }
  if (typeof value.type !== 'string') fail(id, 'field "type" must be a string');
  return { m: value, type: value.type, id };
}

/**
 * A `data` message: bytes from a binary frame (a socket), or base64 from a JSON one (a serial
 * line), either way held as bytes from here on.
 */
function data(m: Fields, id: string): DataMessage {
  let bytes: Uint8Array;
  if (m.data instanceof Uint8Array) {
    bytes = m.data;
  } else {
    // Length first: the pattern check of a huge string costs more than this comparison.
    if (typeof m.data === 'string' && m.data.length > MAX_DATA_BASE64) {
      fail(id, `field "data" holds more than ${DATA_CHUNK_BYTES} bytes`);
    }
    bytes = Buffer.from(base64(m, 'data', id), 'base64');
  }
  if (bytes.length > DATA_CHUNK_BYTES) fail(id, `field "data" holds more than ${DATA_CHUNK_BYTES} bytes`);
  const message: DataMessage = { type: 'data', id, data: bytes };
  if (m.end !== undefined) {
    if (m.end !== true) fail(id, 'field "end" must be true when present');
    message.end = true;
  }
  return message;
}

function terminalSize(value: unknown, id: string): TerminalSize {
  if (!isRecord(value)) fail(id, 'field "tty" must be an object with cols and rows');
  return {
    cols: int(value, 'cols', id, 1, MAX_TERMINAL_CELLS),
    rows: int(value, 'rows', id, 1, MAX_TERMINAL_CELLS),
  };
}

function entry(value: unknown, id: string): FsEntry {
  if (!isRecord(value)) fail(id, 'an entry must be an object');
  const out: FsEntry = {
    name: str(value, 'name', id, MAX_PATH_LENGTH),
    type: oneOf(value, 'type', id, FS_ENTRY_TYPES),
    size: int(value, 'size', id, 0, Number.MAX_SAFE_INTEGER),
    mode: int(value, 'mode', id, 0, 0o7777),
    mtimeMs: finite(value, 'mtimeMs', id, -MAX_EPOCH_MS, MAX_EPOCH_MS),
  };
  if (out.name.includes('\0')) fail(id, 'an entry name must not hold NUL');
  if (value.target !== undefined) out.target = str(value, 'target', id, MAX_PATH_LENGTH);
  return out;
}

/** Checks a decoded frame from the host (used by the agent). */
export function parseHostMessage(value: unknown): HostMessage {
  const { m, type, id } = header(value);
  switch (type) {
    case 'exec': {
      const argv = m.argv;
      if (!Array.isArray(argv) || argv.length === 0 || argv.length > 65_536) {
        fail(id, 'field "argv" must be a non-empty array');
      }
      for (const arg of argv) {
        if (typeof arg !== 'string' || arg.includes('\0'))
          fail(id, 'field "argv" must hold strings without NUL');
      }
      if ((argv[0] as string).length === 0) fail(id, 'argv[0] must not be empty');
      const message: HostMessage = {
        type,
        id,
        argv: argv as string[],
        timeoutMs: int(m, 'timeoutMs', id, 1, MAX_EXEC_TIMEOUT_MS),
      };
      if (m.env !== undefined) message.env = stringMap(m, 'env', id);
      if (m.cwd !== undefined) message.cwd = path(m, 'cwd', id);
      if (m.stdin !== undefined) message.stdin = base64(m, 'stdin', id);
      if (m.stdinStream !== undefined) {
        if (m.stdinStream !== true) fail(id, 'field "stdinStream" must be true when present');
        if (message.stdin !== undefined) fail(id, 'fields "stdin" and "stdinStream" exclude each other');
        message.stdinStream = true;
      }
      if (m.tty !== undefined) {
        message.tty = terminalSize(m.tty, id);
        if (message.stdinStream !== true) fail(id, 'field "tty" requires "stdinStream"');
      }
      return message;
    }
    case 'resize':
      return { type, id, ...terminalSize(m, id) };
    case 'connect':
      return { type, id, port: int(m, 'port', id, MIN_GUEST_PORT, MAX_GUEST_PORT) };
    case 'signal':
      return { type, id, signal: oneOf(m, 'signal', id, AGENT_SIGNALS) };
    case 'ping':
      return { type, id };
    case 'usage':
      return { type, id };
    case 'data':
      return data(m, id);
    case 'credit':
      return { type, id, bytes: int(m, 'bytes', id, 1, MAX_CREDIT_BYTES) };
    case 'write': {
      const message: HostMessage = { type, id, path: path(m, 'path', id) };
      if (m.mode !== undefined) message.mode = int(m, 'mode', id, 0, 0o7777);
      if (m.mtimeMs !== undefined) message.mtimeMs = finite(m, 'mtimeMs', id, 0, MAX_EPOCH_MS);
      return message;
    }
    case 'read':
    case 'stat':
      return { type, id, path: path(m, 'path', id) };
    case 'cancel':
      return { type, id };
    case 'list': {
      const message: HostMessage = { type, id, path: path(m, 'path', id) };
      if (m.recursive !== undefined) message.recursive = flag(m, 'recursive', id);
      return message;
    }
    case 'mkdir': {
      const message: HostMessage = { type, id, path: path(m, 'path', id) };
      if (m.parents !== undefined) message.parents = flag(m, 'parents', id);
      if (m.mode !== undefined) message.mode = int(m, 'mode', id, 0, 0o7777);
      return message;
    }
    case 'remove': {
      const message: HostMessage = { type, id, path: path(m, 'path', id) };
      if (m.recursive !== undefined) message.recursive = flag(m, 'recursive', id);
      return message;
    }
    case 'rename':
      return { type, id, from: path(m, 'from', id), to: path(m, 'to', id) };
    case 'symlink':
      return { type, id, path: path(m, 'path', id), target: path(m, 'target', id) };
    case 'chmod':
      return { type, id, path: path(m, 'path', id), mode: int(m, 'mode', id, 0, 0o7777) };
    case 'clock':
      return { type, id, epochMs: int(m, 'epochMs', id, 0, MAX_EPOCH_MS) };
    default:
      return fail(id, `unknown message type "${type.slice(0, 32)}"`);
  }
}

/** Checks a decoded frame from the agent (used by the host; the agent is untrusted). */
export function parseAgentMessage(value: unknown): AgentMessage {
  const { m, type, id } = header(value);
  switch (type) {
    case 'started':
      return { type, id, pid: int(m, 'pid', id, 1, 2 ** 31 - 1) };
    case 'out':
      return {
        type,
        id,
        stream: oneOf(m, 'stream', id, ['stdout', 'stderr'] as const),
        data: base64(m, 'data', id),
      };
    case 'exit': {
      const code = m.code === null ? null : int(m, 'code', id, 0, 255);
      const signal = m.signal === null ? null : str(m, 'signal', id, 32);
      if (typeof m.timedOut !== 'boolean') fail(id, 'field "timedOut" must be a boolean');
      if (code === null && signal === null) fail(id, 'exit needs a code or a signal');
      const oomKills = m.oomKills === undefined ? undefined : int(m, 'oomKills', id, 0, 2 ** 31 - 1);
      return {
        type,
        id,
        code,
        signal,
        timedOut: m.timedOut,
        ...(oomKills === undefined ? {} : { oomKills }),
      };
    }
    case 'error':
      return {
        type,
        id,
        code: oneOf(m, 'code', id, AGENT_ERROR_CODES),
        message: str(m, 'message', id, MAX_ERROR_MESSAGE_LENGTH),
      };
    case 'pong':
      return { type, id, version: str(m, 'version', id, 64) };
    case 'usage': {
      const figure = (name: string) =>
        m[name] === null || m[name] === undefined ? null : finite(m, name, id, 0, Number.MAX_SAFE_INTEGER);
      return {
        type,
        id,
        cpuSeconds: figure('cpuSeconds'),
        memoryBytes: figure('memoryBytes'),
        diskBytes: figure('diskBytes'),
        processes: figure('processes'),
      };
    }
    case 'ok': {
      const message: AgentMessage = { type, id };
      if (m.beforeMs !== undefined) message.beforeMs = int(m, 'beforeMs', id, 0, MAX_EPOCH_MS);
      if (m.afterMs !== undefined) message.afterMs = int(m, 'afterMs', id, 0, MAX_EPOCH_MS);
      if (m.size !== undefined) message.size = int(m, 'size', id, 0, Number.MAX_SAFE_INTEGER);
      return message;
    }
    case 'entry':
      return { type, id, entry: entry(m.entry, id) };
    case 'entries': {
      const list = m.entries;
      if (!Array.isArray(list) || list.length > MAX_LIST_ENTRIES) {
        fail(id, `field "entries" must be an array of at most ${MAX_LIST_ENTRIES}`);
      }
      return { type, id, entries: list.map((e) => entry(e, id)), truncated: flag(m, 'truncated', id) };
    }
    case 'data':
      return data(m, id);
    case 'credit':
      return { type, id, bytes: int(m, 'bytes', id, 1, MAX_CREDIT_BYTES) };
    default:
      return fail(id, `unknown message type "${type.slice(0, 32)}"`);
  }
}
