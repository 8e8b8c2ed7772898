import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { parseSignalName } from '../signal-name.js';

/** `aether kill EXECUTION [--signal S]`: signal a running command's whole process tree. */
export function registerKillCommand(program: Command): void {
  program
    .command('kill <execution>')
    .description("send a signal to a running execution's whole process tree (default TERM)")
    .option('-s, --signal <name>', 'TERM, KILL, INT, HUP, QUIT, USR1 or USR2 (SIG prefix optional)', 'TERM')
    .action(async (executionId: string, opts: { signal: string }) => {
      const signal = parseSignalName(opts.signal);
      await clientFromEnv().signalExecution(executionId, signal);
      if (process.stderr.isTTY) process.stderr.write(`sent ${signal} to ${executionId}\n`);
    });
}
