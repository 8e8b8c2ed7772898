import type { Command } from 'commander';
import { AetherError } from '../../core/errors.js';
import { clientFromEnv } from '../client-from-env.js';
import { followToTerminal } from '../exec-stream.js';

function parseSeq(text: string): number {
  const seq = Number(text);
  if (!Number.isInteger(seq) || seq < 0) {
    throw new AetherError('ERR_VALIDATION', `--after takes a chunk's seq, a whole number, not "${text}"`);
  }
  return seq;
}

/** `aether attach EXECUTION`: follow an execution's output to its end, as `exec` does. */
export function registerAttachCommand(program: Command): void {
  program
    .command('attach <execution>')
    .description("follow an execution's output from the start to its end; exits with its exit code")
    .option('--after <seq>', 'only output after this chunk seq (resume)', parseSeq)
    .action(async (executionId: string, opts: { after?: number }) => {
      process.exitCode = await followToTerminal(clientFromEnv(), executionId, {
        ...(opts.after !== undefined ? { afterSeq: opts.after } : {}),
      });
    });
}
