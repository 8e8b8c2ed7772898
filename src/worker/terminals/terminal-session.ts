/**
 * One terminal session on this worker: a command on a pseudo-terminal in a VM, its input fed by
 * whichever clients are attached, its output fanned out to them and kept in a replay ring. The
 * session outlives its clients: when the last one detaches, a grace period starts, after which
 * the command is hung up on (SIGHUP, then SIGKILL); a client attaching in time cancels it.
 */
import type { RunningCommand, TerminalSize, VmDriver } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import type { TerminalAttachment, TerminalExit, TerminalInfo, TerminalSpec } from '../../core/terminal.js';
import { ClientFeed } from './client-feed.js';
import { InputQueue } from './input-queue.js';
import { OutputRing } from './output-ring.js';

/** How much recent output a client attaching is replayed: a few screens of a large terminal. */
export const REPLAY_BYTES = 64 * 1024;
/** After SIGHUP, how long the command has before SIGKILL. */
const HANGUP_GRACE_MS = 5000;
/** A terminal has no per-command deadline of its own; the agent's ceiling still applies. */
const TERMINAL_TIMEOUT_MS = 24 * 60 * 60 * 1000;

export interface TerminalSessionOptions {
  /** How long a session with no client waits for one before it ends its command. */
  detachGraceMs: number;
  /** Counts bytes typed in and printed out (metrics). */
  onBytes?(direction: 'in' | 'out', bytes: number): void;
  /** Called once the command ended (or never started). */
  onEnded(session: TerminalSession): void;
}

export class TerminalSession {
  readonly createdAt = new Date();
  private readonly ring = new OutputRing(REPLAY_BYTES);
  private readonly input = new InputQueue();
  private readonly feeds = new Set<ClientFeed>();
  private readonly abort = new AbortController();
  private command: RunningCommand | null = null;
  private size: TerminalSize;
  private detachedAt: Date | null = new Date();
  private graceTimer: NodeJS.Timeout | undefined;
  private hangupTimer: NodeJS.Timeout | undefined;
  exit: TerminalExit | null = null;

  constructor(
    readonly id: string,
    readonly vmId: string,
    private readonly spec: TerminalSpec,
    private readonly options: TerminalSessionOptions,
  ) {
    this.size = { cols: spec.cols, rows: spec.rows };
  }

  /** Starts the command; resolves once it runs (rejects when it cannot start). */
  start(driver: VmDriver): Promise<void> {
    return new Promise<void>((started, failed) => {
      const run = driver.exec(
        this.vmId,
        {
          argv: this.spec.argv,
          ...(this.spec.env ? { env: this.spec.env } : {}),
          ...(this.spec.cwd !== undefined ? { cwd: this.spec.cwd } : {}),
          stdin: this.input,
          timeoutMs: TERMINAL_TIMEOUT_MS,
          tty: this.size,
        },
        {
          onStarted: (command) => {
            this.command = command;
            this.armGrace();
            started();
          },
          onStdout: (chunk) => this.output(chunk),
          onStderr: (chunk) => this.output(chunk),
        },
        this.abort.signal,
      );
      run.then(
        (result) => this.ended({ code: result.exitCode, signal: result.signal }),
        (error: unknown) => {
          if (!this.command) failed(error);
          this.ended({ code: null, signal: null, error: (error as Error).message });
        },
      );
    });
  }

  info(): TerminalInfo {
    return {
      id: this.id,
      vmId: this.vmId,
      argv: [...this.spec.argv],
      cols: this.size.cols,
      rows: this.size.rows,
      createdAt: this.createdAt,
      clients: this.feeds.size,
      detachedAt: this.feeds.size > 0 ? null : this.detachedAt,
      exit: this.exit,
    };
  }

  resize(size: TerminalSize): void {
    if (this.exit) return;
    this.size = { cols: size.cols, rows: size.rows };
    this.command?.resize?.(this.size);
  }

  /** A client joins: it is sent the replay, then live output, then the exit. */
  attach(): TerminalAttachment {
    const feed = new ClientFeed();
    const replay = this.ring.contents();
    if (replay.length > 0) feed.offer({ type: 'output', data: replay });
    if (this.exit) {
      feed.offer({ type: 'exit', exit: this.exit });
      feed.end();
    } else {
      this.feeds.add(feed);
      this.detachedAt = null;
      clearTimeout(this.graceTimer);
    }
    let detached = false;
    return {
      terminalId: this.id,
      events: feed,
      write: async (data) => {
        if (detached || this.exit) return;
        this.options.onBytes?.('in', data.length);
        await this.input.push(data);
      },
      resize: (size) => this.resize(size),
      detach: () => {
        if (detached) return;
        detached = true;
        feed.drop();
        if (this.feeds.delete(feed) && this.feeds.size === 0) {
          this.detachedAt = new Date();
          this.armGrace();
        }
      },
    };
  }

  /** Ends the command: SIGHUP as a closing terminal would, SIGKILL if it lingers. */
  close(): void {
    if (this.exit) return;
    if (!this.command) {
      this.abort.abort(new AetherError('ERR_SHUTTING_DOWN', 'terminal closed'));
      return;
    }
    this.input.close();
    this.command.signal('SIGHUP');
    this.hangupTimer ??= setTimeout(
      () => this.abort.abort(new AetherError('ERR_SHUTTING_DOWN', 'terminal closed')),
      HANGUP_GRACE_MS,
    );
    this.hangupTimer.unref();
  }

  /** The worker is going away: the command is killed now. */
  kill(): void {
    this.abort.abort(new AetherError('ERR_SHUTTING_DOWN', 'the worker is stopping'));
  }

  private output(chunk: Uint8Array): Promise<void> | undefined {
    this.options.onBytes?.('out', chunk.length);
    this.ring.push(chunk);
    if (this.feeds.size === 0) return undefined;
    const event = { type: 'output' as const, data: Uint8Array.from(chunk) };
    for (const feed of this.feeds) feed.offer(event);
    return Promise.all([...this.feeds].map((feed) => feed.ready())).then(() => {});
  }

  private armGrace(): void {
    clearTimeout(this.graceTimer);
    if (this.feeds.size > 0 || this.exit) return;
    this.graceTimer = setTimeout(() => this.close(), this.options.detachGraceMs);
    this.graceTimer.unref();
  }

  private ended(exit: TerminalExit): void {
    if (this.exit) return;
    this.exit = exit;
    clearTimeout(this.graceTimer);
    clearTimeout(this.hangupTimer);
    this.input.close();
    for (const feed of this.feeds) {
      feed.offer({ type: 'exit', exit });
      feed.end();
    }
    this.feeds.clear();
    this.options.onEnded(this);
  }
}
