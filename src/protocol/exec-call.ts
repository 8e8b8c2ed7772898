/**
 * Host-side state of one running exec: routes output to the caller, enforces a deadline on the
 * agent (the command's own timeout plus a grace for the agent to report it), turns an abort
 * into a kill of the command's tree, hands the caller a way to signal the command once it runs,
 * and feeds streamed stdin with the agent's credit.
 */
import { performance } from 'node:perf_hooks';
import { COMMAND_SIGNALS, type CommandSignal, type ExecOutput, type ExecResult } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import type { AgentMessage, AgentSignal } from './messages.js';
import type { StdinFeed } from './stdin-feed.js';

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
  private readonly onAbort = () => {
    this.aborted = true;
    this.options.sendSignal('SIGKILL');
    this.watchdog(this.options.exitGraceMs, 'agent did not confirm the kill');
  };

  constructor(private readonly options: ExecCallOptions) {}

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
    try {
      onStarted({ pid, signal });
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
    this.options.sendSignal('SIGKILL');
    this.finish(error);
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
