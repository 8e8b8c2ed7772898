/**
 * A minimal QMP client (QEMU Machine Protocol) over the VM's Unix socket: JSON lines; the server
 * greets, `qmp_capabilities` leaves negotiation mode, then each `{"execute","arguments","id"}`
 * gets `{"return","id"}` or `{"error":{"class","desc"},"id"}`; events arrive in between.
 */
import { connect, type Socket } from 'node:net';
import { AetherError } from '../../core/errors.js';

const MAX_LINE_BYTES = 1024 * 1024;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface QmpMessage {
  QMP?: unknown;
  return?: unknown;
  error?: { class?: string; desc?: string };
  event?: string;
  id?: unknown;
}

export class QmpClient {
  private buffered = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly events: { event: string; data: unknown }[] = [];
  private closedError: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.onData(text));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('QMP connection closed')));
  }

  /** Connects, reads the greeting and negotiates capabilities. */
  static async open(path: string, timeoutMs: number): Promise<QmpClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new AetherError('ERR_DRIVER_FAILED', `QMP at ${path}: no connection after ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (error) => {
        clearTimeout(timer);
        reject(new AetherError('ERR_DRIVER_FAILED', `QMP at ${path}: ${error.message}`, { cause: error }));
      });
    });
    const client = new QmpClient(socket);
    await client.execute('qmp_capabilities', undefined, timeoutMs);
    return client;
  }

  /** Runs one command; rejects with QEMU's error class and description. */
  execute(command: string, args?: Record<string, unknown>, timeoutMs = 5_000): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = `a${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AetherError('ERR_DRIVER_FAILED', `QMP ${command}: no answer after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(
        `${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id })}\r\n`,
      );
    });
  }

  /** Events received so far (SHUTDOWN, POWERDOWN, STOP, ...), oldest first. */
  receivedEvents(): readonly { event: string; data: unknown }[] {
    return this.events;
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(text: string): void {
    this.buffered += text;
    if (this.buffered.length > MAX_LINE_BYTES) {
      this.fail(new Error('QMP line too long'));
      this.socket.destroy();
      return;
    }
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      if (line) this.onLine(line);
    }
  }

  private onLine(line: string): void {
    let message: QmpMessage;
    try {
      message = JSON.parse(line) as QmpMessage;
    } catch {
      return;
    }
    if (typeof message.event === 'string') {
      this.events.push({ event: message.event, data: (message as { data?: unknown }).data });
      return;
    }
    if (typeof message.id !== 'string') return; // the greeting
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error) {
      pending.reject(
        new AetherError(
          'ERR_DRIVER_FAILED',
          `QMP: ${message.error.class ?? 'Error'}: ${message.error.desc ?? 'unknown error'}`,
        ),
      );
    } else {
      pending.resolve(message.return);
    }
  }

  private fail(error: Error): void {
    if (this.closedError) return;
    this.closedError = error;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new AetherError('ERR_DRIVER_FAILED', `QMP: ${error.message}`, { cause: error }));
    }
    this.pending.clear();
  }
}
