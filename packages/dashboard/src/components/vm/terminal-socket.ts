// A terminal session in a VM over its PTY WebSocket (GET /vms/{id}/terminals/{tid}/attach):
// binary frames carry bytes (typed input up, the terminal's output down, starting with a replay
// of its recent output); text frames are JSON — `{"type":"resize",cols,rows}` up, and
// `{"type":"exit",exit_code,signal,error?}` down as the last message before a 1000 close.
import { ApiError, get, post, type Schemas, seg, socketUrl } from '../../lib/api';
import type { OpenTerminalRequest } from './vm-types';

export interface TerminalSize {
  cols: number;
  rows: number;
}

export type TerminalExit = Extract<Schemas['TerminalSocketMessage'], { type: 'exit' }>;

export interface TerminalHandlers {
  onOpen: () => void;
  onOutput: (bytes: Uint8Array) => void;
  onExit: (exit: TerminalExit) => void;
  /** The socket closed without an exit: the session may still run (re-attach), or never opened. */
  onDrop: (opened: boolean) => void;
}

export interface TerminalConnection {
  /** Typed input: text (sent as UTF-8) or raw bytes. */
  send: (input: string | Uint8Array<ArrayBuffer>) => void;
  resize: (size: TerminalSize) => void;
  /** Leaves the session running: it can be attached to again for a while. */
  detach: () => void;
}

/** The server takes frames up to 64 KiB; a paste is cut below that. */
const FRAME_BYTES = 32 * 1024;
const encoder = new TextEncoder();

/** The session each VM's terminal tab last used, to attach to it again when the tab comes back. */
const lastSession = new Map<string, string>();

/** A running session of this VM to attach to: the last one if it still runs, else a new one. */
export async function sessionFor(vmId: string, size: TerminalSize, fresh: boolean): Promise<string> {
  const known = lastSession.get(vmId);
  if (known && !fresh) {
    try {
      const terminal = await get<Schemas['Terminal']>(`/vms/${seg(vmId)}/terminals/${seg(known)}`);
      if (terminal.status === 'running') return known;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
    }
  }
  const body: OpenTerminalRequest = { cols: size.cols, rows: size.rows };
  const terminal = await post<Schemas['Terminal']>(`/vms/${seg(vmId)}/terminals`, body);
  lastSession.set(vmId, terminal.id);
  return terminal.id;
}

function exitOf(text: string): TerminalExit | null {
  try {
    const message = JSON.parse(text) as Partial<TerminalExit> | null;
    if (message?.type !== 'exit') return null;
    return {
      type: 'exit',
      exit_code: typeof message.exit_code === 'number' ? message.exit_code : null,
      signal: typeof message.signal === 'string' ? message.signal : null,
      ...(typeof message.error === 'string' ? { error: message.error } : {}),
    };
  } catch {
    return null;
  }
}

export function attachTerminal(
  vmId: string,
  terminalId: string,
  handlers: TerminalHandlers,
): TerminalConnection {
  const socket = new WebSocket(socketUrl(`/vms/${seg(vmId)}/terminals/${seg(terminalId)}/attach`));
  socket.binaryType = 'arraybuffer';
  let opened = false;
  let ended = false;
  socket.onopen = () => {
    opened = true;
    handlers.onOpen();
  };
  socket.onmessage = (event) => {
    if (event.data instanceof ArrayBuffer) {
      handlers.onOutput(new Uint8Array(event.data));
      return;
    }
    const exit = exitOf(String(event.data));
    if (exit) {
      ended = true;
      lastSession.delete(vmId);
      handlers.onExit(exit);
    }
  };
  socket.onclose = () => {
    if (!ended) handlers.onDrop(opened);
  };
  const open = () => socket.readyState === WebSocket.OPEN;
  return {
    send(input) {
      if (!open()) return;
      const bytes = typeof input === 'string' ? encoder.encode(input) : input;
      for (let start = 0; start < bytes.length; start += FRAME_BYTES)
        socket.send(bytes.subarray(start, start + FRAME_BYTES));
    },
    resize(size) {
      if (open()) socket.send(JSON.stringify({ type: 'resize', cols: size.cols, rows: size.rows }));
    },
    detach() {
      ended = true;
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)
        socket.close(1000);
    },
  };
}
