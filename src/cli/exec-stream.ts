import type { AetherClient } from '../client/client.js';
import { AetherApiError } from '../client/client.js';
import type { ExecuteRequest } from '../client/types.js';

/** Exit status conventions of `timeout(1)` and shells, so scripts can tell outcomes apart. */
export const EXIT_TIMED_OUT = 124;
export const EXIT_SPAWN_FAILED = 127;

/**
 * Run a command, copy its output to ours as it arrives, and return the exit status to use:
 * the command's own code, 124 on timeout, 127 when it could not start, 128+n for a signal.
 */
export async function streamToTerminal(
  client: AetherClient,
  vm: string,
  request: ExecuteRequest,
): Promise<number> {
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    for await (const line of client.executeStream(vm, request, abort.signal)) {
      switch (line.type) {
        case 'stdout':
          process.stdout.write(line.data);
          break;
        case 'stderr':
          process.stderr.write(line.data);
          break;
        case 'exit':
          if (line.timed_out) {
            process.stderr.write(
              `aether: command timed out after ${request.timeout_ms ?? 'the default'} ms\n`,
            );
            return EXIT_TIMED_OUT;
          }
          if (line.exit_code === null) return 128 + 9;
          return line.exit_code;
        case 'error':
          process.stderr.write(`aether: ${line.error.code}: ${line.error.message}\n`);
          return line.error.code === 'ERR_EXEC_SPAWN_FAILED' ? EXIT_SPAWN_FAILED : 1;
      }
    }
    process.stderr.write('aether: the stream ended before the command did\n');
    return 1;
  } catch (error) {
    if (error instanceof AetherApiError && error.code === 'ERR_EXEC_SPAWN_FAILED') {
      process.stderr.write(`aether: ${error.message}\n`);
      return EXIT_SPAWN_FAILED;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
