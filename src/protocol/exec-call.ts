/**
 * Host-side state of one running exec: routes output to the caller, enforces a deadline on the
 * agent (the command's own timeout plus a grace for the agent to report it), turns an abort
 * into a kill of the command's tree, hands the caller a way to signal the command once it runs,
 * and feeds streamed stdin with the agent's credit. For a terminal exec it also grants the agent
 * credit for the output as the caller takes it, and hands the caller a way to resize.
 */
import { performance } from 'node:perf_hooks';
import {
  COMMAND_SIGNALS,
  type CommandSignal,
  type ExecOutput,
  type ExecResult,
  MAX_TERMINAL_CELLS,
  type TerminalSize,
} from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import { ReceiveWindow } from './flow-window.js';
import {
  type AgentMessage,
  type AgentSignal,
  MAX_CREDIT_BYTES,
  TTY_OUTPUT_WINDOW_BYTES,
} from './messages.js';
import type { StdinFeed } from './stdin-feed.js';

/** How a terminal exec's call reaches the agent beyond signals. */
export interface TerminalChannel {
  /** Credit for `bytes` more output. */
  grant(bytes: number): void;
  resize(size: TerminalSize): void;
}

/**
 * Output credit goes back in quarters of the window: few frames, and the agent never waits for
 * output the caller already took (see flow-window.ts).
 */
const TTY_GRANT_BATCH_BYTES = TTY_OUTPUT_WINDOW_BYTES / 4;

export interface ExecCallOptions {
  timeoutMs: number;
  output: ExecOutput;
  signal: AbortSignal | undefined;
  /** How long the agent has to report the exit after the timeout or an abort. */
  exitGraceMs: number;
  /** Best effort: delivers a signal to the command's tree. */
  sendSignal(signal: AgentSignal): void;
  /** Streamed stdin, started once the request is sent; stopped when the call settles. */
  stdin: StdinFeed | null;
  /** Set for a terminal exec: its stdout is flow-controlled, and it can be resized. */
  terminal: TerminalChannel | null;
  /** Called once when the call settles, to forget it. */
  done(): void;
  resolve(result: ExecResult): void;
  reject(error: unknown): void;
}

export class ExecCall {
  private readonly started = performance.now();
  private aborted = false;
  private settled = false;
  private timer: NodeJS.Timeout | undefined;
  /** A terminal's output: what the agent may still send, what the caller took. */
  private readonly outputWindow: ReceiveWindow | null;
  /** Nobody takes the terminal's output any more (see releaseOutput). */
  private outputReleased = false;
  private readonly onAbort = () => {
    this.aborted = true;
    this.releaseOutput();
    this.options.sendSignal('SIGKILL');
    this.watchdog(this.options.exitGraceMs, 'agent did not confirm the kill');
  };

  constructor(private readonly options: ExecCallOptions) {
    this.outputWindow = options.terminal
      ? new ReceiveWindow(TTY_OUTPUT_WINDOW_BYTES, TTY_GRANT_BATCH_BYTES)
      : null;
  }

  /** Arms the deadline and the abort listener; call right before sending the request. */
  start(): void {
    this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
    const { timeoutMs, exitGraceMs } = this.options;
    this.watchdog(timeoutMs + exitGraceMs, `agent did not report an exit within ${timeoutMs} ms`);
  }

  onMessage(reply: AgentMessage): void {
    switch (reply.type) {
      case 'started':
        this.announceStart(reply.pid);
        return;
      case 'credit':
        if (this.options.stdin) {
          this.options.stdin.grant(reply.bytes);
          return;
        }
        break;
      case 'out': {
        const chunk = new Uint8Array(Buffer.from(reply.data, 'base64'));
        if (reply.stream === 'stdout' && this.outputWindow) {
          this.terminalOutput(chunk, this.outputWindow);
          return;
        }
        try {
          if (reply.stream === 'stdout') this.options.output.onStdout?.(chunk);
          else this.options.output.onStderr?.(chunk);
        } catch (error) {
          this.kill(error); // a throwing consumer must not leave the command running unobserved
        }
        return;
      }
      case 'exit':
        if (this.aborted) {
          this.finish(this.options.signal?.reason);
          return;
        }
        this.finish(undefined, {
          exitCode: reply.code,
          signal: reply.signal,
          timedOut: reply.timedOut,
          durationMs: Math.round(performance.now() - this.started),
          ...(reply.oomKills === undefined ? {} : { guestOomKills: reply.oomKills }),
        });
        return;
      case 'error':
        this.finish(new AetherError(reply.code, reply.message));
        return;
    }
    this.kill(new AetherError('ERR_AGENT_PROTOCOL', `unexpected "${reply.type}" reply to exec`));
  }

  /**
   * A chunk of a terminal's output: past the credit the agent is hostile (the stream cannot be
   * trusted, the command is killed); otherwise its bytes are granted back once the caller took
   * them, which is when `onStdout`'s promise settles (at once when it returns none).
   */
  private terminalOutput(chunk: Uint8Array, window: ReceiveWindow): void {
    if (this.outputReleased) return;
    if (!window.accept(chunk.length)) {
      this.kill(new AetherError('ERR_AGENT_PROTOCOL', 'agent sent terminal output past its credit'));
      return;
    }
    let taken: unknown;
    try {
      taken = this.options.output.onStdout?.(chunk);
    } catch (error) {
      this.kill(error);
      return;
    }
    const granted = () => {
      if (this.settled || this.outputReleased) return;
      const grant = window.consumed(chunk.length);
      if (grant > 0) this.options.terminal?.grant(grant);
    };
    if (isPromiseLike(taken)) taken.then(granted, (error: unknown) => this.kill(error));
    else granted();
  }

  private announceStart(pid: number): void {
    const onStarted = this.options.output.onStarted;
    if (!onStarted) return;
    const signal = (sig: CommandSignal) => {
      if (!(COMMAND_SIGNALS as readonly string[]).includes(sig)) {
        throw new AetherError('ERR_VALIDATION', `unknown signal ${String(sig).slice(0, 32)}`);
      }
      // Once the exit is in, the pid may be another process's: nothing to signal any more.
      if (!this.settled) this.options.sendSignal(sig);
    };
    const terminal = this.options.terminal;
    const resize = (size: TerminalSize) => {
      checkTerminalSize(size);
      if (!this.settled) terminal?.resize({ cols: size.cols, rows: size.rows });
    };
    try {
      onStarted(terminal ? { pid, signal, resize } : { pid, signal });
    } catch (error) {
      this.kill(error); // as for a throwing output consumer
    }
  }

  /**
   * The connection failed: nothing more will arrive for this call. After an abort, the abort's
   * reason is the call's end (the caller ended it; the connection going after is a consequence).
   */
  fail(error: unknown): void {
    this.finish(this.aborted ? this.options.signal?.reason : error);
  }

  private watchdog(ms: number, why: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.kill(this.aborted ? this.options.signal?.reason : new AetherError('ERR_AGENT_UNREACHABLE', why));
    }, ms);
  }

  private kill(error: unknown): void {
    if (this.settled) return;
    this.releaseOutput();
    this.options.sendSignal('SIGKILL');
    this.finish(error);
  }

  /**
   * The caller no longer takes a terminal's output (an abort, a kill): the agent gets all the
   * credit it could want, so the killed command's last output does not hold back its exit (or
   * keep it in the agent until its deadline), and what still comes is dropped here.
   */
  private releaseOutput(): void {
    if (!this.options.terminal || this.outputReleased) return;
    this.outputReleased = true;
    this.options.terminal.grant(MAX_CREDIT_BYTES);
  }

  private finish(error: unknown, result?: ExecResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.options.stdin?.stop();
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.options.done();
    if (error === undefined && result) this.options.resolve(result);
    else this.options.reject(error);
  }
}

/** Throws ERR_VALIDATION unless both sides are whole cells within MAX_TERMINAL_CELLS. */
export function checkTerminalSize(size: TerminalSize): void {
  const ok = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_TERMINAL_CELLS;
  if (typeof size !== 'object' || size === null || !ok(size.cols) || !ok(size.rows)) {
    throw new AetherError(
      'ERR_VALIDATION',
      `a terminal size needs cols and rows, each an integer in [1, ${MAX_TERMINAL_CELLS}]`,
    );
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
