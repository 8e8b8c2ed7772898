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
  /** The bytes as UTF-8 text (a character cut between two pieces is completed in the next). */
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
    if (!this.#stdin) {
      const stream = new PushStream();
      this.#stdin = { stream, sent: this.client.feedStdin(this.id, stream).catch((error: unknown) => error) };
    }
    return this.#stdin.stream.push(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  /** Closes stdin: the command reads end-of-file. */
  async closeStdin(): Promise<void> {
    if (!this.stdinOpen) return;
    if (!this.#stdin) {
      const stream = new PushStream();
      this.#stdin = { stream, sent: this.client.feedStdin(this.id, stream).catch((error: unknown) => error) };
    }
    this.#stdin.stream.end();
    const outcome = await this.#stdin.sent;
    // Closing stdin of a command that already ended is no failure.
    if (outcome instanceof Error && (outcome as { code?: string }).code !== 'ERR_EXECUTION_NOT_RUNNING') {
      throw outcome;
    }
  }

  /** `onEnd` is told the stored execution when the stream's last message carries it. */
  async *#output(onEnd?: (execution: Execution) => void): AsyncGenerator<CommandOutput> {
    const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
    for await (const message of this.client.followExecution(this.id)) {
      if (message.type === 'chunk') {
        const data = new Uint8Array(chunkBytes(message));
        yield { stream: message.stream, data, text: decoders[message.stream].decode(data, { stream: true }) };
      } else if (message.type === 'error' && message.scope === 'stream') {
        throw apiErrorOf(0, message.code, message.message, { error: message });
      } else {
        if (message.type === 'exit') onEnd?.(message.execution);
        return;
      }
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
    return {
      executionId: this.id,
      exitCode: execution.exit_code,
      outcome: execution.outcome,
      signal: execution.signal,
      stdout: text.stdout,
      stderr: text.stderr,
      execution,
    };
  }
}
