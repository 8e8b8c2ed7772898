import { once } from 'node:events';
import os from 'node:os';
import type { AetherClient, ExecuteRequest, Execution } from '@aetherium/sdk';
import { AetherApiError, chunkBytes } from '@aetherium/sdk';
import { feedOurStdin } from './stdin-feed.js';

/** Exit status conventions of `timeout(1)` and shells, so scripts can tell outcomes apart. */
export const EXIT_TIMED_OUT = 124;
export const EXIT_SPAWN_FAILED = 127;
/** Ctrl-C: we stop following; the command itself goes on in its VM. */
const EXIT_INTERRUPTED = 128 + 2;

/** Writes bytes to a terminal or pipe, waiting when it is full rather than buffering without end. */
async function writeBytes(stream: NodeJS.WriteStream, bytes: Buffer): Promise<void> {
  if (!stream.write(bytes)) await once(stream, 'drain');
}

function reportTruncation(execution: Execution): void {
  const cut = [execution.stdout_truncated && 'stdout', execution.stderr_truncated && 'stderr'].filter(
    Boolean,
  );
  if (cut.length > 0) {
    process.stderr.write(
      `aether: ${cut.join(' and ')} went past the gateway's output limit (AETHER_OUTPUT_LIMIT_BYTES); the rest was not kept\n`,
    );
  }
}

/**
 * Run a command, copy its output to ours byte for byte as it arrives (over the execution's
 * WebSocket stream, reconnecting if it drops), and return the exit status to use: the command's
 * own code, 124 on timeout, 127 when it could not start, 128+n for a signal. With
 * `stdin_stream`, our stdin is fed to the command meanwhile.
 */
export async function streamToTerminal(
  client: AetherClient,
  vm: string,
  request: ExecuteRequest,
): Promise<number> {
  let accepted: Awaited<ReturnType<AetherClient['execute']>>;
  try {
    accepted = await client.execute(vm, request);
  } catch (error) {
    if (error instanceof AetherApiError && error.code === 'ERR_EXEC_SPAWN_FAILED') {
      process.stderr.write(`aether: ${error.message}\n`);
      return EXIT_SPAWN_FAILED;
    }
    throw error;
  }
  const stdin = request.stdin_stream ? feedOurStdin(client, accepted.execution_id) : null;
  try {
    return await followToTerminal(client, accepted.execution_id, { timeoutMs: accepted.timeout_ms });
  } finally {
    stdin?.stop();
  }
}

export interface FollowToTerminalOptions {
  /** Only output after this chunk (`aether attach --after`); default: from the start. */
  afterSeq?: number;
  /** The command's time limit, to say in the timeout message. */
  timeoutMs?: number;
}

/**
 * Follows an execution that was started already (`exec`, `attach`): its output to ours as it
 * arrives, then its exit status as `streamToTerminal` says. Ctrl-C stops following only.
 */
export async function followToTerminal(
  client: AetherClient,
  executionId: string,
  options: FollowToTerminalOptions = {},
): Promise<number> {
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const stream = client.followExecution(executionId, {
      signal: abort.signal,
      ...(options.afterSeq !== undefined ? { afterSeq: options.afterSeq } : {}),
    });
    for await (const message of stream) {
      switch (message.type) {
        case 'chunk':
          await writeBytes(
            message.stream === 'stdout' ? process.stdout : process.stderr,
            chunkBytes(message),
          );
          break;
        case 'exit':
          reportTruncation(message.execution);
          if (message.timed_out) {
            const after = options.timeoutMs ? ` after ${options.timeoutMs} ms` : '';
            process.stderr.write(`aether: command timed out${after}\n`);
            return EXIT_TIMED_OUT;
          }
          return message.exit_code ?? signalExitStatus(message.execution.signal);
        case 'error':
          process.stderr.write(`aether: ${message.code}: ${message.message}\n`);
          return message.code === 'ERR_EXEC_SPAWN_FAILED' ? EXIT_SPAWN_FAILED : 1;
      }
    }
    process.stderr.write('aether: the stream ended before the command did\n');
    return 1;
  } catch (error) {
    if (abort.signal.aborted) {
      process.stderr.write(
        `aether: stopped following; the command goes on (aether execution ${executionId})\n`,
      );
      return EXIT_INTERRUPTED;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** 128 + the signal's number, as shells report a command a signal ended; SIGKILL's when unknown. */
export function signalExitStatus(signal: string | null): number {
  const number = signal ? os.constants.signals[signal as NodeJS.Signals] : undefined;
  return 128 + (number ?? os.constants.signals.SIGKILL);
}

/** `--env K=V` values into a record, refusing malformed ones with a clear message. */
export function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AetherApiError(0, 'ERR_VALIDATION', `--env takes NAME=VALUE, got "${pair}"`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}
