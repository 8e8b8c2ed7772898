/**
 * A terminal session over a WebSocket, the same on every hop (client ↔ gateway ↔ worker):
 * binary frames carry bytes (typed input one way, the terminal's output the other), text frames
 * small JSON control messages — `{"type":"resize","cols":120,"rows":40}` from the client, and
 * `{"type":"exit","exit_code":3,"signal":null}` from the server as its last message before it
 * closes with 1000. Both sides keep backpressure: the server stops pulling output while the
 * socket's send buffer is full, and stops reading input while the session has not taken what came.
 */
import type WebSocket from 'ws';
import { AetherError } from './errors.js';
import {
  checkTerminalSize,
  type TerminalAttachment,
  type TerminalEvent,
  type TerminalExit,
} from './terminal.js';

/** Largest frame a terminal socket takes: a paste, cut by the sender into frames this size. */
export const TERMINAL_FRAME_BYTES = 64 * 1024;
/** Send-buffer level above which the server waits for the socket before sending more output. */
const SEND_HIGH_WATER_BYTES = 256 * 1024;
/** Input messages waiting for the session beyond which the server stops reading the socket. */
const INPUT_QUEUE_LIMIT = 16;

export type TerminalControl = { type: 'resize'; cols: number; rows: number };

export interface ExitMessage {
  type: 'exit';
  exit_code: number | null;
  signal: string | null;
  error?: string;
}

export function parseControl(text: string): TerminalControl | null {
  try {
    const value = JSON.parse(text) as { type?: unknown; cols?: unknown; rows?: unknown };
    if (value?.type !== 'resize') return null;
    return { type: 'resize', ...checkTerminalSize(value.cols, value.rows) };
  } catch {
    return null;
  }
}

export function exitMessage(exit: TerminalExit): ExitMessage {
  return {
    type: 'exit',
    exit_code: exit.code,
    signal: exit.signal,
    ...(exit.error !== undefined ? { error: exit.error } : {}),
  };
}

function bytesOf(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/**
 * Serves an attachment on an accepted socket until the session ends or the socket closes; the
 * attachment is detached then (the session runs on, re-attachable).
 */
export async function serveTerminalSocket(socket: WebSocket, attachment: TerminalAttachment): Promise<void> {
  let queued = 0;
  let inputChain = Promise.resolve();
  const detach = () => attachment.detach();
  socket.on('close', detach);
  socket.on('error', detach);
  socket.on('message', (data, isBinary) => {
    if (!isBinary) {
      const control = parseControl(bytesOf(data).toString());
      if (control) attachment.resize(control);
      return;
    }
    const bytes = bytesOf(data);
    queued += 1;
    if (queued > INPUT_QUEUE_LIMIT) socket.pause();
    inputChain = inputChain
      .then(() => attachment.write(bytes))
      .catch(() => {})
      .finally(() => {
        queued -= 1;
        if (queued <= INPUT_QUEUE_LIMIT / 2 && socket.isPaused) socket.resume();
      });
  });
  for await (const event of attachment.events) {
    if (socket.readyState !== socket.OPEN) break;
    if (event.type === 'output') {
      await sendWithBackpressure(socket, event.data);
      continue;
    }
    socket.send(JSON.stringify(exitMessage(event.exit)));
    socket.close(1000, 'exited');
    return;
  }
  detach();
}

function sendWithBackpressure(socket: WebSocket, data: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (socket.bufferedAmount < SEND_HIGH_WATER_BYTES) {
      socket.send(data, { binary: true });
      resolve();
      return;
    }
    // Full: wait until this frame has been written out.
    socket.send(data, { binary: true }, () => resolve());
  });
}

/**
 * The client side: an open socket to a terminal as an attachment. Events are read with
 * backpressure (the socket is paused while unread output piles up); the socket closing without
 * an exit message ends the events with an ERR_TRANSFER_ABORTED error.
 */
export function terminalSocketAttachment(socket: WebSocket, terminalId: string): TerminalAttachment {
  const queue: TerminalEvent[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  let failure: Error | null = null;
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      queue.push({ type: 'output', data: bytesOf(data) });
      if (queue.length > INPUT_QUEUE_LIMIT) socket.pause();
    } else {
      const message = safeJson(bytesOf(data).toString()) as Partial<ExitMessage> | null;
      if (message?.type === 'exit') {
        queue.push({
          type: 'exit',
          exit: {
            code: typeof message.exit_code === 'number' ? message.exit_code : null,
            signal: typeof message.signal === 'string' ? message.signal : null,
            ...(typeof message.error === 'string' ? { error: message.error } : {}),
          },
        });
        ended = true;
      }
    }
    wake?.();
  });
  socket.on('close', (code, reason) => {
    if (!ended) {
      ended = true;
      failure = new AetherError(
        'ERR_TRANSFER_ABORTED',
        `the terminal connection closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`,
      );
    }
    wake?.();
  });
  socket.on('error', () => {});
  async function* events(): AsyncGenerator<TerminalEvent> {
    while (true) {
      const event = queue.shift();
      if (event) {
        if (queue.length <= INPUT_QUEUE_LIMIT / 2 && socket.isPaused) socket.resume();
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
          reject(new AetherError('ERR_TRANSFER_ABORTED', 'the terminal connection is closed'));
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

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
