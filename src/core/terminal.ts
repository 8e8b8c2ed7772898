/**
 * Terminal sessions: a command on a pseudo-terminal in a VM, held by the worker that owns the VM.
 * A session outlives its clients: when the last one goes, the session waits a grace period for a
 * client to re-attach (like tmux), replaying the screen's recent output to it, and only then ends
 * its command. Bytes both ways are flow-controlled: a client that reads slowly slows the command.
 */
import { MAX_TERMINAL_CELLS, type TerminalSize } from './driver.js';
import { AetherError } from './errors.js';

export interface TerminalSpec extends TerminalSize {
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface TerminalExit {
  /** Null when the command was ended by a signal. */
  code: number | null;
  signal: string | null;
  /** Why the session ended without the command's own exit (the VM stopped, the worker went). */
  error?: string;
}

export interface TerminalInfo {
  id: string;
  vmId: string;
  argv: string[];
  cols: number;
  rows: number;
  createdAt: Date;
  /** Clients attached now. */
  clients: number;
  /** When the last client went, while none is attached; null while one is. */
  detachedAt: Date | null;
  /** Set once the command ended; the session is forgotten shortly after. */
  exit: TerminalExit | null;
}

/** What an attached client receives, in order. */
export type TerminalEvent =
  | { type: 'output'; data: Uint8Array }
  /** The last event: the command ended. */
  | { type: 'exit'; exit: TerminalExit };

/**
 * One client's attachment to a session. `events` is pulled: a client that stops reading stops
 * being sent output (and, if it is the slowest attached client, slows the command).
 */
export interface TerminalAttachment {
  readonly terminalId: string;
  /** The replay of recent output first, then live output, then the exit. Ends on detach. */
  readonly events: AsyncIterable<TerminalEvent>;
  /** Typed input; resolves once the session took it (the command's stdin has room). */
  write(data: Uint8Array): Promise<void>;
  resize(size: TerminalSize): void;
  /** Leaves the session running (re-attachable until the grace period ends). */
  detach(): void;
}

/** Terminal ids are `term_` and 20 lowercase letters and digits. */
export const TERMINAL_ID_PATTERN = /^term_[a-z0-9]{20}$/;

/** Most arguments, and most bytes of all arguments and env together, one terminal command takes. */
const MAX_ARGS = 1024;
const MAX_SPEC_TEXT = 128 * 1024;

/**
 * A terminal spec from an untrusted hop (the wire between gateway and worker), checked: argv of
 * strings without NUL, env of strings, cwd a string, a size within bounds.
 */
export function parseTerminalSpec(value: unknown): TerminalSpec {
  const bad = (why: string) => new AetherError('ERR_VALIDATION', `terminal: ${why}`);
  if (typeof value !== 'object' || value === null) throw bad('expected an object');
  const v = value as Record<string, unknown>;
  const { cols, rows } = checkTerminalSize(v.cols, v.rows);
  const noNul = (s: unknown): s is string => typeof s === 'string' && !s.includes('\0');
  if (!Array.isArray(v.argv) || v.argv.length === 0 || v.argv.length > MAX_ARGS || !v.argv.every(noNul)) {
    throw bad(`argv must be 1 to ${MAX_ARGS} strings without NUL`);
  }
  let text = v.argv.join('').length;
  const spec: TerminalSpec = { argv: [...(v.argv as string[])], cols, rows };
  if (v.env !== undefined) {
    if (typeof v.env !== 'object' || v.env === null || Array.isArray(v.env))
      throw bad('env must be an object');
    const env: Record<string, string> = {};
    for (const [key, val] of Object.entries(v.env)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || !noNul(val))
        throw bad(`env ${key.slice(0, 64)} is not valid`);
      env[key] = val;
      text += key.length + val.length;
    }
    spec.env = env;
  }
  if (v.cwd !== undefined) {
    if (!noNul(v.cwd) || v.cwd.length === 0 || v.cwd.length > 4096) throw bad('cwd must be a path');
    spec.cwd = v.cwd;
  }
  if (text > MAX_SPEC_TEXT) throw bad(`argv and env exceed ${MAX_SPEC_TEXT} characters`);
  return spec;
}

/** A size a client may ask for, or an error saying what is wrong with it. */
export function checkTerminalSize(cols: unknown, rows: unknown): TerminalSize {
  for (const [name, value] of [
    ['cols', cols],
    ['rows', rows],
  ] as const) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TERMINAL_CELLS) {
      throw new AetherError('ERR_VALIDATION', `${name} must be an integer from 1 to ${MAX_TERMINAL_CELLS}`);
    }
  }
  return { cols: cols as number, rows: rows as number };
}

/** What a terminal runs when no command is given: a login shell, bash where the guest has it. */
export const LOGIN_SHELL_ARGV: readonly string[] = Object.freeze([
  '/bin/sh',
  '-c',
  'if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi',
]);
