/** `sandbox.commands`: run commands in the sandbox, in the foreground or in the background. */
import type { ExecuteRequest, Execution } from '../api-types.js';
import type { AetherClient } from '../client/client.js';
import { AetherApiError } from '../errors.js';
import { CommandHandle, type CommandResult, type OutputCallbacks, resultOf } from './command-handle.js';

export interface RunOptions extends OutputCallbacks {
  /** The working directory (default: the VM user's home). */
  cwd?: string;
  env?: Record<string, string>;
  /** Killed after this long; 0: no limit. Default: the server's. */
  timeoutMs?: number;
  /**
   * Given to the command as its stdin. `true` keeps stdin open for `handle.sendStdin()` until
   * `handle.closeStdin()` (background commands).
   */
  stdin?: string | Uint8Array | true;
  /** Foreground only: stops waiting and kills the command. */
  signal?: AbortSignal;
}

export interface BackgroundRunOptions extends RunOptions {
  /** Return the handle as soon as the command is started. */
  background: true;
}

/** A command line: a string runs under `sh -c`; an array is the argv itself (no shell). */
export type CommandLine = string | readonly string[];

/**
 * How long a foreground command is waited for in one request before it is followed on its stream
 * instead: a connection silent for minutes is one a proxy may cut without a word.
 */
const RUN_WAIT_MS = 30_000;

/** Stdin fed over its own request while the command runs (`true`, or bytes), not in the body. */
function streamsStdin(options: RunOptions): boolean {
  return options.stdin === true || options.stdin instanceof Uint8Array;
}

/** The API's request for a command line and its options. */
function requestOf(command: CommandLine, options: RunOptions): ExecuteRequest {
  const argv = typeof command === 'string' ? ['sh', '-c', command] : [...command];
  const [program, ...args] = argv;
  if (!program) throw new TypeError('a command needs at least a program name');
  return {
    command: program,
    args,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.timeoutMs !== undefined ? { timeout_ms: options.timeoutMs } : {}),
    ...(typeof options.stdin === 'string' ? { stdin: options.stdin } : {}),
    ...(streamsStdin(options) ? { stdin_stream: true } : {}),
  };
}

export class Commands {
  constructor(
    private readonly client: AetherClient,
    private readonly vmId: string,
  ) {}

  /**
   * Runs a command. In the foreground (the default) resolves with its result once it ended; a
   * non-zero exit, a timeout or a signal is a result, not an error. A command that could not run
   * as asked (no such program: `ERR_EXEC_SPAWN_FAILED`; killed at the VM's memory limit:
   * `ERR_VM_OUT_OF_MEMORY`) rejects with that error. With `background: true`, resolves with its
   * handle as soon as it started.
   */
  run(command: CommandLine, options: BackgroundRunOptions): Promise<CommandHandle>;
  run(command: CommandLine, options?: RunOptions & { background?: false }): Promise<CommandResult>;
  async run(
    command: CommandLine,
    options: RunOptions & { background?: boolean } = {},
  ): Promise<CommandHandle | CommandResult> {
    // A caller that gave up already wants nothing started.
    options.signal?.throwIfAborted();
    const watched = options.signal || options.onStdout || options.onStderr || streamsStdin(options);
    if (!options.background && !watched) {
      return this.#runWaited(command, options);
    }
    const handle = await this.#start(command, options);
    if (options.background) return handle;
    const { signal } = options;
    if (!signal) return handle.wait();
    try {
      return await handle.wait({ signal });
    } catch (error) {
      // The caller gave up on it: the command must not run on unseen.
      if (signal.aborted) await handle.kill().catch(() => {});
      throw error;
    }
  }

  /** A handle on a command started earlier (by its execution id), e.g. by another process. */
  connect(executionId: string, callbacks: OutputCallbacks = {}): CommandHandle {
    return new CommandHandle(this.client, executionId, callbacks);
  }

  /** The processes running in the sandbox now. */
  list(options: { signal?: AbortSignal } = {}) {
    return this.client.withSignal(options.signal).listProcesses(this.vmId);
  }

  /**
   * A foreground command nobody follows live: one request, which the API answers once the command
   * ended, with its stored execution. Following its stream instead costs a second request and a
   * WebSocket (1.6× as long for a short command: docs/performance.md). The output is the same
   * either way (each stream cut at the platform's limit, AETHER_OUTPUT_LIMIT_BYTES); a command that
   * outlasts the gateway's wait is followed on its stream after all.
   */
  async #runWaited(command: CommandLine, options: RunOptions): Promise<CommandResult> {
    let execution: Execution;
    try {
      const answer = await this.client.execute(this.vmId, requestOf(command, options), {
        wait: true,
        waitTimeoutMs: RUN_WAIT_MS,
      });
      execution = answer.execution!;
    } catch (error) {
      // A command that could not run as asked is the API's error (422 ERR_EXEC_SPAWN_FAILED…).
      const executionId = await this.#executionOfLongWait(error);
      if (!executionId) throw error;
      return new CommandHandle(this.client, executionId).wait();
    }
    return resultOf(execution, execution.stdout, execution.stderr);
  }

  /** The execution of a command whose wait ended first (ERR_WAIT_TIMEOUT): it runs on. */
  async #executionOfLongWait(error: unknown): Promise<string | null> {
    if (!(error instanceof AetherApiError) || error.code !== 'ERR_WAIT_TIMEOUT') return null;
    const details = (error.body as { error?: { details?: { taskId?: unknown } } } | undefined)?.error
      ?.details;
    if (typeof details?.taskId !== 'string') return null;
    const task = await this.client.getTask(details.taskId);
    const executionId = (task.payload as { executionId?: unknown } | null)?.executionId;
    return typeof executionId === 'string' ? executionId : null;
  }

  async #start(command: CommandLine, options: RunOptions): Promise<CommandHandle> {
    const started = await this.client.execute(this.vmId, requestOf(command, options));
    const handle = new CommandHandle(this.client, started.execution_id, options, streamsStdin(options));
    if (options.stdin instanceof Uint8Array) {
      await handle.sendStdin(options.stdin);
      await handle.closeStdin();
    }
    return handle;
  }
}
