import type { Execution } from '@aetherium/sdk';
import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { age, printJson, printTable } from '../format.js';

/** Not ended yet: queued for its worker, or running. */
export function isActive(execution: Execution): boolean {
  return execution.outcome === 'pending' || execution.outcome === 'running';
}

/**
 * `aether ps VM`: what runs in a VM now, with pids, asked of the worker that owns it; `--all`:
 * every execution of the VM from the store, ended ones too.
 */
export function registerPsCommand(program: Command): void {
  program
    .command('ps <vm>')
    .description(
      'list the commands running in a VM now, with their pids (--all: every execution, ended ones too)',
    )
    .option('-a, --all', 'every execution of the VM, ended ones too')
    .option('--json', 'print JSON')
    .action(async (vm: string, opts: { all?: boolean; json?: boolean }) => {
      const client = clientFromEnv();
      if (!opts.all) {
        const processes = await client.listProcesses(vm);
        if (opts.json) return printJson(processes);
        return printTable(
          ['ID', 'PID', 'COMMAND', 'AGE'],
          processes.map((p) => [
            p.execution_id,
            p.pid === null ? '-' : String(p.pid),
            [p.command, ...p.args].join(' ').slice(0, 48),
            p.started_at ? age(p.started_at) : '-',
          ]),
        );
      }
      const executions = await client.listExecutions(vm);
      if (opts.json) return printJson(executions);
      printTable(
        ['ID', 'COMMAND', 'STATE', 'AGE'],
        executions.map((e) => [
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
