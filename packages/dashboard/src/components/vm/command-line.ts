// How a command reads on screen: the shell line the dashboard sent (`sh -c LINE`), or its argv
// with quotes where an argument would otherwise be read differently.
import type { Schemas } from '../../lib/api';
import type { ExecuteRequest } from './vm-types';

/** A line typed in the dashboard runs as `sh -c LINE`, so pipes and redirections work. */
export function shellRequest(line: string): ExecuteRequest {
  return { command: 'sh', args: ['-c', line] };
}

function quoted(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function commandLine(execution: Pick<Schemas['Execution'], 'command' | 'args'>): string {
  const { command, args } = execution;
  if (
    (command === 'sh' || command === '/bin/sh' || command === 'bash') &&
    args.length === 2 &&
    args[0] === '-c'
  ) {
    return args[1] ?? '';
  }
  return [command, ...args].map(quoted).join(' ');
}
