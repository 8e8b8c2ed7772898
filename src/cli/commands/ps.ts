import type { Command } from 'commander';
import type { Execution } from '../../client/types.js';
import { clientFromEnv } from '../client-from-env.js';
import { age, printJson, printTable } from '../format.js';

/** Not ended yet: queued for its worker, or running. */
export function isActive(execution: Execution): boolean {
  return execution.outcome === 'pending' || execution.outcome === 'running';
}

/** `aether ps VM`: the executions of a VM that have not ended, newest first. */
export function registerPsCommand(program: Command): void {
  program
    .command('ps <vm>')
    .description('list the executions of a VM that are still pending or running (--all: every one)')
    .option('-a, --all', 'ended executions too')
    .option('--json', 'print JSON')
    .action(async (vm: string, opts: { all?: boolean; json?: boolean }) => {
      // The route has no state filter; a VM's list is read whole, so no running one is cut off.
      const executions = await clientFromEnv().listExecutions(vm);
      const shown = opts.all ? executions : executions.filter(isActive);
      if (opts.json) return printJson(shown);
      printTable(
        ['ID', 'COMMAND', 'STATE', 'AGE'],
        shown.map((e) => [
          e.id,
          [e.command, ...e.args].join(' ').slice(0, 48),
          stateOf(e),
          age(e.started_at ?? e.created_at),
        ]),
      );
    });
}

function stateOf(e: Execution): string {
  if (e.outcome === 'exited') return `exited (${e.exit_code})`;
  if (e.outcome === 'signalled') return `signalled (${e.signal})`;
  return e.outcome;
}
