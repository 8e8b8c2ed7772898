/**
 * `sandbox.pty`: commands on a pseudo-terminal (a shell by default), as a person at a terminal
 * would use them. A session outlives its connection: `disconnect` leaves it running for
 * `pty.connect(id)` to take up again (its recent output replayed), `kill` ends it.
 */
import type { TerminalSize } from '../api-types.js';
import type { AetherClient } from '../client/client.js';
import type { TerminalAttachment, TerminalExit } from '../client/terminal-socket.js';

export interface PtyConnectOptions {
  /** Called with each piece of output, in order (the replay of recent output first). */
  onData?: (data: Uint8Array) => void;
  signal?: AbortSignal;
}

export interface PtyCreateOptions extends PtyConnectOptions, Partial<TerminalSize> {
  /** The argv to run (default: the VM user's login shell). */
  command?: readonly string[];
  cwd?: string;
  env?: Record<string, string>;
}

export class PtyHandle {
  readonly #done: Promise<TerminalExit>;

  constructor(
    private readonly client: AetherClient,
    private readonly vmId: string,
    private readonly attachment: TerminalAttachment,
    onData?: (data: Uint8Array) => void,
  ) {
    this.#done = (async () => {
      for await (const event of attachment.events) {
        if (event.type === 'output') onData?.(event.data);
        else return event.exit;
      }
      // Detached by us: the session goes on without this handle.
      return { code: null, signal: null, error: 'disconnected' };
    })();
    // A failure is reported by `wait`; nobody waiting must not crash the process.
    this.#done.catch(() => {});
  }

  /** The terminal session's id (`aether attach VM ID`). */
  get id(): string {
    return this.attachment.terminalId;
  }

  /** Types `data` (Ctrl-C is `\x03`); resolves once the session took it. */
  sendInput(data: string | Uint8Array): Promise<void> {
    return this.attachment.write(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  /** The command gets SIGWINCH and the new size. */
  async resize(size: TerminalSize, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.client.withSignal(options.signal).resizeTerminal(this.vmId, this.id, size);
  }

  /** Resolves with how the command ended. */
  wait(): Promise<TerminalExit> {
    return this.#done;
  }

  /** Hangs the session up: its command gets SIGHUP (then SIGKILL). */
  async kill(): Promise<void> {
    try {
      await this.client.closeTerminal(this.vmId, this.id);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_TERMINAL_NOT_FOUND') throw error;
    }
  }

  /** Leaves the session running, re-attachable with `pty.connect(id)` for a while. */
  disconnect(): void {
    this.attachment.detach();
  }
}

export class Pty {
  constructor(
    private readonly client: AetherClient,
    private readonly vmId: string,
  ) {}

  /** Starts a command on a new terminal (80×24 unless told) and attaches to it. */
  async create(options: PtyCreateOptions = {}): Promise<PtyHandle> {
    const session = await this.client.withSignal(options.signal).openTerminal(this.vmId, {
      cols: options.cols ?? 80,
      rows: options.rows ?? 24,
      ...(options.command ? { command: [...options.command] } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.env !== undefined ? { env: options.env } : {}),
    });
    return this.connect(session.id, options);
  }

  /** Attaches to a running terminal session. */
  async connect(terminalId: string, options: PtyConnectOptions = {}): Promise<PtyHandle> {
    const attachment = await this.client.attachTerminal(this.vmId, terminalId, options.signal);
    return new PtyHandle(this.client, this.vmId, attachment, options.onData);
  }

  /** The sandbox's terminal sessions. */
  list(options: { signal?: AbortSignal } = {}) {
    return this.client.withSignal(options.signal).listTerminals(this.vmId);
  }
}
