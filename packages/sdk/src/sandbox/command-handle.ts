/**
 * A command started in a sandbox: its output as it happens, its result, and what can be done to
 * it while it runs (signals, stdin). Output comes over the execution's stream, which reconnects
 * after the last chunk seen when a connection drops, so every byte arrives once, in order.
 */
import type { CommandSignal, Execution } from '../api-types.js';
import type { AetherClient } from '../client/client.js';
import { chunkBytes } from '../client/execution-stream.js';
import { apiErrorOf } from '../errors.js';
import { PushStream } from './push-stream.js';

/** One piece of a command's output. */
export interface CommandOutput {
  stream: 'stdout' | 'stderr';
  /** The exact bytes. */
  data: Uint8Array;
  /**
   * The bytes as UTF-8 text (a character cut between two pieces is completed in the next; one
   * the output ends in the middle of comes last as U+FFFD, with no bytes of its own).
   */
  text: string;
}

/** How a command ended. A non-zero exit is a result, not an error. */
export interface CommandResult {
  executionId: string;
  /** Null when it did not exit by itself (killed by a signal, timed out, failed to start). */
  exitCode: number | null;
  /** `exited`, `timed_out`, `signalled`, `failed`, `cancelled`, `unknown`, `not_started`. */
  outcome: Execution['outcome'];
  /** The signal that ended it, when one did. */
  signal: string | null;
  stdout: string;
  stderr: string;
  /** The stored execution, with timings. */
  execution: Execution;
}

export interface OutputCallbacks {
  onStdout?: (text: string, data: Uint8Array) => void;
  onStderr?: (text: string, data: Uint8Array) => void;
}

function stdinClosed() {
  return apiErrorOf(400, 'ERR_VALIDATION', 'stdin is closed: `closeStdin` was called');
}

export class CommandHandle implements AsyncIterable<CommandOutput> {
  #result: Promise<CommandResult> | null = null;
  #stdin: { stream: PushStream; sent: Promise<unknown> } | null = null;

  constructor(
    private readonly client: AetherClient,
    /** The execution's id: `aether attach`, `GET /executions/{id}` and `commands.connect` know it. */
    readonly id: string,
    private readonly callbacks: OutputCallbacks = {},
    private readonly stdinOpen = false,
  ) {}

  /**
   * The output from the start, then live until the command ends. Each loop is its own stream, so
   * several readers each see all of it.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<CommandOutput> {
    yield* this.#output();
  }

  /** Resolves when the command has ended (following its output to the callbacks meanwhile). */
  wait(options: { signal?: AbortSignal } = {}): Promise<CommandResult> {
    this.#result ??= this.#collect();
    if (!options.signal) return this.#result;
    const signal = options.signal;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#result!.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Sends a signal to the command's whole process tree (default SIGKILL). */
  async kill(signal: CommandSignal = 'SIGKILL'): Promise<void> {
    try {
      await this.client.signalExecution(this.id, signal);
    } catch (error) {
      // It ended meanwhile: what `kill` wanted is so.
      if ((error as { code?: string }).code !== 'ERR_EXECUTION_NOT_RUNNING') throw error;
    }
  }

  /**
   * Writes to the command's stdin (started with `stdin: true`); resolves once the VM took it, so a
   * command that does not read slows the writer rather than filling memory.
   */
  sendStdin(data: string | Uint8Array): Promise<void> {
    if (!this.stdinOpen) {
      return Promise.reject(
        apiErrorOf(400, 'ERR_VALIDATION', 'this command was not started with `stdin: true`'),
      );
    }
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    return this.#stdinFeed().stream.push(bytes);
  }

  /** Closes stdin: the command reads end-of-file. */
  async closeStdin(): Promise<void> {
    if (!this.stdinOpen) return;
    const { stream, sent } = this.#stdinFeed();
    stream.end();
    const outcome = await sent;
    // Closing stdin of a command that already ended is no failure.
    if (outcome instanceof Error && (outcome as { code?: string }).code !== 'ERR_EXECUTION_NOT_RUNNING') {
      throw outcome;
    }
  }

  /**
   * The one request that carries stdin, opened on first use. When it ends (stdin closed, the
   * command ended, the connection failed), writes it did not take fail with its error.
   */
  #stdinFeed(): { stream: PushStream; sent: Promise<unknown> } {
    if (this.#stdin) return this.#stdin;
    const stream = new PushStream(stdinClosed);
    const sent = this.client.feedStdin(this.id, stream).then(
      (answer) => {
        stream.abandon(stdinClosed());
        return answer;
      },
      (error: unknown) => {
        stream.abandon(error instanceof Error ? error : new Error(String(error)));
        return error;
      },
    );
    this.#stdin = { stream, sent };
    return this.#stdin;
  }

  /** `onEnd` is told the stored execution when the stream's last message carries it. */
  async *#output(onEnd?: (execution: Execution) => void): AsyncGenerator<CommandOutput> {
    const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
    for await (const message of this.client.followExecution(this.id)) {
      if (message.type === 'chunk') {
        const data = new Uint8Array(chunkBytes(message));
        yield { stream: message.stream, data, text: decoders[message.stream].decode(data, { stream: true }) };
      } else if (message.type === 'error') {
        // Scope `stream`: following failed. Scope `execution`: the command could not run as
        // asked (no such program, killed at the VM's memory limit): an error, not a result.
        throw apiErrorOf(0, message.code, message.message, { error: message, execution_id: this.id });
      } else {
        if (message.type === 'exit') onEnd?.(message.execution);
        break;
      }
    }
    // Bytes of a character the output ended in the middle of: U+FFFD, as the stored execution shows.
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = decoders[stream].decode();
      if (rest) yield { stream, data: new Uint8Array(0), text: rest };
    }
  }

  async #collect(): Promise<CommandResult> {
    const text = { stdout: '', stderr: '' };
    let ended: Execution | null = null;
    for await (const output of this.#output((execution) => {
      ended = execution;
    })) {
      text[output.stream] += output.text;
      const callback = output.stream === 'stdout' ? this.callbacks.onStdout : this.callbacks.onStderr;
      callback?.(output.text, output.data);
    }
    const execution: Execution = ended ?? (await this.client.getExecution(this.id));
    return resultOf(execution, text.stdout, text.stderr);
  }
}

/** A command's result from its stored execution and its whole output. */
export function resultOf(execution: Execution, stdout: string, stderr: string): CommandResult {
  return {
    executionId: execution.id,
    exitCode: execution.exit_code,
    outcome: execution.outcome,
    signal: execution.signal,
    stdout,
    stderr,
    execution,
  };
}
