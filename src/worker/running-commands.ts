import type { RunningProcess, StdinResult } from '../core/data-plane.js';
import { COMMAND_SIGNALS, type CommandSignal, type RunningCommand } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import { StdinRelay } from './stdin-relay.js';

/** What `runCommand` holds for one execution while its driver runs it. */
export interface CommandRegistration {
  /** The stdin to hand the driver: present when the execution has a streamed stdin. */
  readonly stdin?: AsyncIterable<Uint8Array>;
  /** Aborts when the command's VM is found dead (`abortVm`): its driver call must end then. */
  readonly signal: AbortSignal;
  /** For `ExecOutput.onStarted`: signals sent before the command ran are delivered now. */
  onStarted(command: RunningCommand): void;
  /** The command ended or never started: it leaves the registry, its stdin closes. Idempotent. */
  release(): void;
}

export interface FeedStdinOptions {
  /** How long to wait for the execution to begin here (its task may still be queued). */
  waitMs: number;
}

interface Entry {
  readonly vmId: string;
  command: RunningCommand | null;
  /** Signals sent between registration and start, in order. */
  readonly early: CommandSignal[];
  readonly stdin: StdinRelay | null;
  readonly vmDead: AbortController;
}

/**
 * The executions running on this worker now, by id: what the data plane needs to reach one
 * while its task runs (a signal, a stdin body). `runCommand` registers each before its driver
 * starts it and releases it when the driver returns, whatever the outcome.
 */
export class RunningCommands {
  private readonly entries = new Map<string, Entry>();
  /** Feeders waiting for an execution to register, by its id. */
  private readonly arrivals = new Map<string, Set<(entry: Entry) => void>>();

  register(executionId: string, options: { vmId: string; stdinStream: boolean }): CommandRegistration {
    const entry: Entry = {
      vmId: options.vmId,
      command: null,
      early: [],
      stdin: options.stdinStream ? new StdinRelay(executionId) : null,
      vmDead: new AbortController(),
    };
    // A second attempt at the same execution on this worker replaces the first one's entry.
    this.entries.set(executionId, entry);
    const waiting = this.arrivals.get(executionId);
    this.arrivals.delete(executionId);
    for (const arrived of waiting ?? []) arrived(entry);
    let released = false;
    return {
      ...(entry.stdin ? { stdin: entry.stdin.stdin } : {}),
      signal: entry.vmDead.signal,
      onStarted: (command) => {
        if (released) return;
        entry.command = command;
        for (const signal of entry.early.splice(0)) deliver(command, signal);
      },
      release: () => {
        if (released) return;
        released = true;
        entry.stdin?.close();
        if (this.entries.get(executionId) === entry) this.entries.delete(executionId);
      },
    };
  }

  has(executionId: string): boolean {
    return this.entries.has(executionId);
  }

  /** The executions of one VM running here now, with their pid once they started. */
  of(vmId: string): RunningProcess[] {
    const found: RunningProcess[] = [];
    for (const [executionId, entry] of this.entries) {
      if (entry.vmId === vmId) found.push({ executionId, pid: entry.command?.pid ?? null });
    }
    return found;
  }

  /**
   * Ends every execution of `vmId` running here with `reason`: its VM was found dead, and a
   * command on a hung agent would otherwise wait for its own timeout.
   */
  abortVm(vmId: string, reason: AetherError): number {
    let aborted = 0;
    for (const entry of this.entries.values()) {
      if (entry.vmId !== vmId || entry.vmDead.signal.aborted) continue;
      entry.vmDead.abort(reason);
      aborted++;
    }
    return aborted;
  }

  /** Executions registered now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Sends `signal` to the execution's whole process tree. One registered but not started yet
   * gets it the moment it starts (a kill right after submitting must land); one that is not
   * registered here (not begun, or ended) is ERR_EXECUTION_NOT_RUNNING.
   */
  signal(executionId: string, signal: CommandSignal): void {
    if (!COMMAND_SIGNALS.includes(signal)) {
      throw new AetherError('ERR_VALIDATION', `signal must be one of ${COMMAND_SIGNALS.join(', ')}`);
    }
    const entry = this.entries.get(executionId);
    if (!entry) throw notRunningHere(executionId);
    if (entry.command) entry.command.signal(signal);
    else entry.early.push(signal);
  }

  /**
   * As `signal`, but an execution not registered here yet (its task still queued: a kill right
   * after `exec -d`) is waited for up to `waitMs`, then signalled the moment it registers.
   */
  async signalWhenRegistered(
    executionId: string,
    signal: CommandSignal,
    options: { waitMs: number },
  ): Promise<void> {
    if (!this.entries.has(executionId)) await this.arrival(executionId, options.waitMs);
    this.signal(executionId, signal);
  }

  /**
   * Feeds `body` to the execution's stdin, waiting up to `waitMs` for it to register here.
   * Resolves when `body` ended and stdin closed; rejects with the body's own error when it fails
   * (stdin is closed then), and at once when the command ends first. ERR_EXECUTION_NOT_RUNNING
   * when it does not register in time, has no streamed stdin, or already has a feeder.
   */
  async feedStdin(
    executionId: string,
    body: AsyncIterable<Uint8Array>,
    options: FeedStdinOptions,
  ): Promise<StdinResult> {
    const entry = this.entries.get(executionId) ?? (await this.arrival(executionId, options.waitMs));
    if (!entry.stdin) {
      throw new AetherError(
        'ERR_EXECUTION_NOT_RUNNING',
        `execution ${executionId} was not started with a streamed stdin (stdin_stream)`,
      );
    }
    return entry.stdin.feed(body);
  }

  private arrival(executionId: string, waitMs: number): Promise<Entry> {
    return new Promise<Entry>((resolve, reject) => {
      const waiting = this.arrivals.get(executionId) ?? new Set<(entry: Entry) => void>();
      const arrived = (entry: Entry) => {
        clearTimeout(timer);
        resolve(entry);
      };
      const timer = setTimeout(() => {
        waiting.delete(arrived);
        if (waiting.size === 0 && this.arrivals.get(executionId) === waiting)
          this.arrivals.delete(executionId);
        reject(notRunningHere(executionId, ` (waited ${waitMs} ms for it to start)`));
      }, waitMs);
      timer.unref();
      waiting.add(arrived);
      this.arrivals.set(executionId, waiting);
    });
  }
}

function deliver(command: RunningCommand, signal: CommandSignal): void {
  try {
    command.signal(signal);
  } catch {
    // Best effort, as the driver contract says: the command's end is what `exec` reports.
  }
}

function notRunningHere(executionId: string, detail = ''): AetherError {
  return new AetherError(
    'ERR_EXECUTION_NOT_RUNNING',
    `execution ${executionId} is not running on this worker${detail}`,
  );
}
