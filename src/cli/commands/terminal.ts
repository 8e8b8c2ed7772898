import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { age, printJson, printTable } from '../format.js';

/** `aether terminal ls|rm`: a VM's terminal sessions (open one with `shell` or `exec -it`). */
export function registerTerminalCommands(program: Command): void {
  const terminal = program.command('terminal').description("a VM's terminal sessions (see shell, attach)");

  terminal
    .command('ls <vm>')
    .description("list a VM's terminal sessions: running, and ended in the last minute")
    .option('--json', 'print JSON')
    .action(async (vm: string, opts: { json?: boolean }) => {
      const sessions = await clientFromEnv().listTerminals(vm);
      if (opts.json) return printJson(sessions);
      printTable(
        ['ID', 'COMMAND', 'SIZE', 'CLIENTS', 'STATUS', 'AGE'],
        sessions.map((s) => [
          s.id,
          s.command.join(' ').slice(0, 40),
          `${s.cols}x${s.rows}`,
          s.clients,
          s.status === 'exited'
            ? `exited (${s.exit_code ?? s.signal})`
            : s.detached_at
              ? 'detached'
              : 'attached',
          age(s.created_at),
        ]),
      );
    });

  terminal
    .command('rm <vm> <terminal>')
    .description('end a terminal session: its command gets SIGHUP, then SIGKILL after 5 s')
    .action(async (vm: string, id: string) => {
      await clientFromEnv().closeTerminal(vm, id);
    });
}
