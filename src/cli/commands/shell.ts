import type { Command } from 'commander';
import { AetherError } from '../../core/errors.js';
import { clientFromEnv } from '../client-from-env.js';
import { parseEnvPairs } from '../exec-stream.js';
import { openAndRelay } from '../terminal-client.js';
import { collect } from './exec.js';

/** `aether shell VM`: an interactive login shell in the VM, as `exec -it VM -- bash -l`. */
export function registerShellCommand(program: Command): void {
  program
    .command('shell <vm>')
    .description('an interactive login shell in a VM (bash where it has it); Ctrl-P Ctrl-Q detaches')
    .option('-e, --env <NAME=VALUE>', 'environment variable (repeatable)', collect, [])
    .option('-w, --cwd <dir>', 'working directory inside the VM')
    .action(async (vm: string, opts: { env: string[]; cwd?: string }) => {
      if (!process.stdin.isTTY) {
        throw new AetherError(
          'ERR_VALIDATION',
          'the input device is not a terminal: `aether shell` needs one (use `aether exec -i VM -- sh` for piped input)',
        );
      }
      process.exitCode = await openAndRelay(clientFromEnv(), vm, {
        env: opts.env.length > 0 ? parseEnvPairs(opts.env) : undefined,
        cwd: opts.cwd,
        input: true,
      });
    });
}
