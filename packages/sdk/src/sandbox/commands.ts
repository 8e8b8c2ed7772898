/** `sandbox.commands`: run commands in the sandbox, in the foreground or in the background. */
import type { ExecuteRequest } from '../api-types.js';
import type { AetherClient } from '../client/client.js';
import { CommandHandle, type CommandResult, type OutputCallbacks } from './command-handle.js';

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

export class Commands {
  constructor(
    private readonly client: AetherClient,
    private readonly vmId: string,
  ) {}

  /**
   * Runs a command. In the foreground (the default) resolves with its result once it ended; a
   * non-zero exit code is a result, not an error. With `background: true`, resolves with its
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
  list() {
    return this.client.listProcesses(this.vmId);
  }

  async #start(command: CommandLine, options: RunOptions): Promise<CommandHandle> {
    const argv = typeof command === 'string' ? ['sh', '-c', command] : [...command];
    const [program, ...args] = argv;
    if (!program) throw new TypeError('a command needs at least a program name');
    const streamedStdin = options.stdin === true || options.stdin instanceof Uint8Array;
    const body: ExecuteRequest = {
      command: program,
      args,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.env !== undefined ? { env: options.env } : {}),
      ...(options.timeoutMs !== undefined ? { timeout_ms: options.timeoutMs } : {}),
      ...(typeof options.stdin === 'string' ? { stdin: options.stdin } : {}),
      ...(streamedStdin ? { stdin_stream: true } : {}),
    };
    const started = await this.client.execute(this.vmId, body);
    const handle = new CommandHandle(this.client, started.execution_id, options, streamedStdin);
    if (options.stdin instanceof Uint8Array) {
      await handle.sendStdin(options.stdin);
      await handle.closeStdin();
    }
    return handle;
  }
}
