/**
 * One port tunnel (`connect`) inside the guest: a TCP connection to an app on the guest's
 * loopback, its bytes carried as `data` frames both ways with credit (see ConnectMessage).
 * The host's bytes are granted back once the socket took them (the write callback), so an app
 * that does not read stops the host; the app's bytes go only within the host's credit, the socket
 * paused otherwise, so a host that does not read stops the app.
 */
import { connect, type Socket } from 'node:net';
import { ReceiveWindow } from '../protocol/flow-window.js';
import {
  type AgentMessage,
  type ConnectMessage,
  DATA_CHUNK_BYTES,
  INITIAL_WINDOW_BYTES,
  MAX_ERROR_MESSAGE_LENGTH,
} from '../protocol/messages.js';
import { CreditedOutput } from './credited-output.js';

/** Loopback connects answer at once; one that does not is behind a firewall rule that drops it. */
const CONNECT_TIMEOUT_MS = 5000;
const NO_BYTES = new Uint8Array(0);

export interface TunnelContext {
  send(message: AgentMessage): void;
  /** The session pauses the tunnel's output while its connection is backed up. */
  track(output: CreditedOutput): void;
  untrack(output: CreditedOutput): void;
}

export class PortTunnel {
  private socket: Socket | null = null;
  private output: CreditedOutput | null = null;
  private readonly window = new ReceiveWindow();
  private over = false;
  /** The host sent its `end`; the app's side was ended after what came before it. */
  private hostEnded = false;
  /** The app's EOF reached the host (after every byte before it). */
  private appEndSent = false;
  private closed = false;

  constructor(
    private readonly request: ConnectMessage,
    private readonly ctx: TunnelContext,
    private readonly onDone: () => void,
  ) {}

  /** Connects to 127.0.0.1, then to ::1 when that is refused; replies `ok` or `error`. */
  async start(): Promise<void> {
    const { port } = this.request;
    let socket: Socket;
    try {
      socket = await open('127.0.0.1', port).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNREFUSED') throw error;
        return open('::1', port).catch(() => Promise.reject(error));
      });
    } catch (error) {
      if (this.over) return;
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.fail(
        'ERR_PORT_UNREACHABLE',
        `nothing accepts connections on port ${port} in the guest (${reason})`,
      );
      return;
    }
    if (this.over) {
      socket.destroy(); // cancelled while connecting
      return;
    }
    this.attach(socket);
  }

  /**
   * Bytes from the host for the app. Past the credit is a broken contract: the tunnel is closed
   * and the host told.
   */
  onData(data: Uint8Array, end: boolean): void {
    if (this.over || this.hostEnded || !this.socket) return;
    if (!this.window.accept(data.length)) {
      this.fail('ERR_AGENT_PROTOCOL', 'host sent tunnel data past its credit');
      return;
    }
    const socket = this.socket;
    if (data.length > 0) {
      socket.write(data, (error) => {
        if (error || this.over) return;
        const grant = this.window.consumed(data.length);
        if (grant > 0) this.ctx.send({ type: 'credit', id: this.request.id, bytes: grant });
      });
    }
    if (end) {
      this.hostEnded = true;
      socket.end();
      this.maybeDone();
    }
  }

  /** The host took `bytes` more of what the app sent. */
  grant(bytes: number): void {
    if (!this.over) this.output?.grant(bytes);
  }

  /** The host gave up, or went away: close at once, no reply. */
  cancel(): void {
    if (this.over) return;
    this.stop();
    this.onDone();
  }

  private attach(socket: Socket): void {
    const { id } = this.request;
    this.socket = socket;
    socket.setNoDelay(true); // interactive protocols: a keystroke must not wait for Nagle
    const output = new CreditedOutput(socket, INITIAL_WINDOW_BYTES, DATA_CHUNK_BYTES, (chunk) =>
      this.ctx.send({ type: 'data', id, data: chunk }),
    );
    this.output = output;
    this.ctx.track(output);
    socket.on('end', () =>
      output.whenFlushed(() => {
        if (this.over) return;
        this.appEndSent = true;
        this.ctx.send({ type: 'data', id, data: NO_BYTES, end: true });
        this.maybeDone();
      }),
    );
    let failure: Error | null = null;
    socket.on('error', (error) => {
      failure = error;
    });
    socket.on('close', () => {
      this.closed = true;
      if (this.over) return;
      if (failure || !this.hostEnded || !socket.readableEnded) {
        const why = failure ? ((failure as NodeJS.ErrnoException).code ?? failure.message) : 'closed';
        this.fail('ERR_TRANSFER_ABORTED', `the connection to port ${this.request.port} ended early (${why})`);
        return;
      }
      this.maybeDone();
    });
    this.ctx.send({ type: 'ok', id });
  }

  /** Both directions ended and the socket is closed: the tunnel's last frame. */
  private maybeDone(): void {
    if (this.over || !this.hostEnded || !this.appEndSent || !this.closed) return;
    this.stop();
    this.ctx.send({ type: 'ok', id: this.request.id });
    this.onDone();
  }

  private fail(
    code: 'ERR_PORT_UNREACHABLE' | 'ERR_TRANSFER_ABORTED' | 'ERR_AGENT_PROTOCOL',
    message: string,
  ) {
    if (this.over) return;
    this.stop();
    this.ctx.send({
      type: 'error',
      id: this.request.id,
      code,
      message: message.slice(0, MAX_ERROR_MESSAGE_LENGTH),
    });
    this.onDone();
  }

  private stop(): void {
    this.over = true;
    if (this.output) {
      this.output.stop();
      this.ctx.untrack(this.output);
    }
    this.socket?.destroy();
  }
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' }));
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
