import type { AetherClient } from '@aetherium/sdk';

export interface StdinFeed {
  /** Stops sending (the command has ended) and lets go of our stdin, so the process can exit. */
  stop(): void;
}

/**
 * Sends our stdin to a running execution's stdin as the command reads it (`exec -i`): a command
 * that reads slowly slows the read of ours, whatever its size. A command that ends or closes its
 * stdin before reading all of it (`head -1`) ends the feed quietly, as a pipe would — that
 * refusal (ERR_EXECUTION_NOT_RUNNING) can reach us before the command's end does, so it is never
 * reported; other failures are said on stderr as they happen.
 */
export function feedOurStdin(client: AetherClient, executionId: string): StdinFeed {
  const stopped = new AbortController();
  client.feedStdin(executionId, process.stdin, { signal: stopped.signal }).catch((error: unknown) => {
    if (stopped.signal.aborted) return;
    const { code, message } = error as { code?: string; message?: string };
    if (code === 'ERR_EXECUTION_NOT_RUNNING') return;
    process.stderr.write(`aether: stdin: ${code ? `${code}: ` : ''}${message ?? String(error)}\n`);
  });
  return {
    stop() {
      stopped.abort();
      process.stdin.destroy();
    },
  };
}
