/**
 * Host-side state of one running exec: routes output to the caller, enforces a deadline on the
 * agent (the command's own timeout plus a grace for the agent to report it) and turns an abort
 * into a kill of the command's tree.
 */
import { performance } from 'node:perf_hooks';
import type { ExecOutput, ExecResult } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import type { AgentMessage, AgentSignal } from './messages.js';

export interface ExecCallOptions {
  timeoutMs: number;
  output: ExecOutput;
  signal: AbortSignal | undefined;
  /** How long the agent has to report the exit after the timeout or an abort. */
  exitGraceMs: number;
  /** Best effort: delivers a signal to the command's tree. */
  sendSignal(signal: AgentSignal): void;
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
        return;
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
        });
        return;
      case 'error':
        this.finish(new AetherError(reply.code, reply.message));
        return;
      default:
        this.kill(new AetherError('ERR_AGENT_PROTOCOL', `unexpected "${reply.type}" reply to exec`));
    }
  }

  /** The connection failed: nothing more will arrive for this call. */
  fail(error: unknown): void {
    this.finish(error);
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
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.options.done();
    if (error === undefined && result) this.options.resolve(result);
    else this.options.reject(error);
  }
}
