/**
 * The client side of a terminal session's WebSocket: binary frames carry bytes (typed input up,
 * the terminal's output down), text frames small JSON control messages — `{"type":"resize",
 * "cols":120,"rows":40}` up, and `{"type":"exit","exit_code":3,"signal":null}` down as the last
 * message before the server closes with 1000. Output is read with backpressure: the socket is
 * paused while unread output piles up.
 */
import type WebSocket from 'ws';
import type { TerminalSize } from '../api-types.js';
import { apiErrorOf } from '../errors.js';

/** Unread output messages beyond which the socket stops being read. */
const UNREAD_LIMIT = 16;

export interface TerminalExit {
  /** Null when the command was ended by a signal. */
  code: number | null;
  signal: string | null;
  /** Why the session ended without the command's own exit (the VM stopped, the worker went). */
  error?: string;
}

/** What an attached client receives, in order. */
export type TerminalEvent = { type: 'output'; data: Uint8Array } | { type: 'exit'; exit: TerminalExit };

/** One client's attachment to a terminal session. */
export interface TerminalAttachment {
  readonly terminalId: string;
  /** The replay of recent output first, then live output, then the exit. Ends on detach. */
  readonly events: AsyncIterable<TerminalEvent>;
  /** Typed input; resolves once the socket took it. */
  write(data: Uint8Array): Promise<void>;
  resize(size: TerminalSize): void;
  /** Leaves the session running (re-attachable until its grace period ends). */
  detach(): void;
}

interface ExitMessage {
  type: 'exit';
  exit_code?: unknown;
  signal?: unknown;
  error?: unknown;
}

function bytesOf(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

function exitOf(text: string): TerminalExit | null {
  try {
    const message = JSON.parse(text) as Partial<ExitMessage> | null;
    if (message?.type !== 'exit') return null;
    return {
      code: typeof message.exit_code === 'number' ? message.exit_code : null,
      signal: typeof message.signal === 'string' ? message.signal : null,
      ...(typeof message.error === 'string' ? { error: message.error } : {}),
    };
  } catch {
    return null;
  }
}

/** An open socket to a terminal as an attachment; a close without the exit message fails `events`. */
export function terminalSocketAttachment(socket: WebSocket, terminalId: string): TerminalAttachment {
  const queue: TerminalEvent[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  let failure: Error | null = null;
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      queue.push({ type: 'output', data: bytesOf(data) });
      if (queue.length > UNREAD_LIMIT) socket.pause();
    } else {
      const exit = exitOf(Buffer.from(bytesOf(data)).toString('utf8'));
      if (exit) {
        queue.push({ type: 'exit', exit });
        ended = true;
      }
    }
    wake?.();
  });
  socket.on('close', (code, reason) => {
    if (!ended) {
      ended = true;
      const why = `${code}${reason.length ? ` ${reason.toString()}` : ''}`;
      failure = apiErrorOf(0, 'ERR_TRANSFER_ABORTED', `the terminal connection closed (${why})`);
    }
    wake?.();
  });
  socket.on('error', () => {});
  async function* events(): AsyncGenerator<TerminalEvent> {
    while (true) {
      const event = queue.shift();
      if (event) {
        if (queue.length <= UNREAD_LIMIT / 2 && socket.isPaused) socket.resume();
        yield event;
        if (event.type === 'exit') return;
        continue;
      }
      if (ended) {
        if (failure) throw failure;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  }
  return {
    terminalId,
    events: events(),
    write: (data) =>
      new Promise<void>((resolve, reject) => {
        if (socket.readyState !== socket.OPEN) {
          reject(apiErrorOf(0, 'ERR_TRANSFER_ABORTED', 'the terminal connection is closed'));
          return;
        }
        socket.send(data, { binary: true }, (error) => (error ? reject(error) : resolve()));
      }),
    resize(size) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'resize', ...size }));
    },
    detach() {
      ended = true;
      wake?.();
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(1000);
    },
  };
}
