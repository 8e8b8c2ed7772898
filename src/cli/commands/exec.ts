import type { Command } from 'commander';
import type { ExecuteRequest } from '../../client/types.js';
import { clientFromEnv } from '../client-from-env.js';
import { addCommandLineCommand } from '../command-line-command.js';
import { parseEnvPairs, readStdin, streamToTerminal } from '../exec-stream.js';

export interface ExecFlags {
  env: string[];
  cwd?: string;
  timeout?: string;
  stdin?: boolean;
  retrySafe?: boolean;
}

export async function buildExecRequest(argv: string[], opts: ExecFlags): Promise<ExecuteRequest> {
  const [command, ...args] = argv;
  if (!command) throw new Error('name the command to run after --, e.g. `aether exec dev -- uname -a`');
  const timeout = opts.timeout === undefined ? undefined : Number(opts.timeout);
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout <= 0)) {
    throw new Error(`--timeout takes milliseconds as a whole number, got "${opts.timeout}"`);
  }
  return {
    command,
    args,
    ...(opts.env.length > 0 ? { env: parseEnvPairs(opts.env) } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(timeout ? { timeout_ms: timeout } : {}),
    ...(opts.stdin ? { stdin: await readStdin() } : {}),
    ...(opts.retrySafe ? { retry_safe: true } : {}),
  };
}

export const collect = (value: string, previous: string[]) => [...previous, value];

export function addExecOptions(command: Command): Command {
  return command
    .option('-e, --env <NAME=VALUE>', 'environment variable (repeatable)', collect, [])
    .option('-w, --cwd <dir>', 'working directory inside the VM')
    .option('-t, --timeout <ms>', 'kill the command after this many milliseconds')
    .option('-i, --stdin', "send this terminal's stdin to the command")
    .option('--retry-safe', 'the command may run again if its worker dies mid-run');
}

export function registerExecCommand(program: Command): void {
  addExecOptions(
    addCommandLineCommand(program, 'exec <vm> <command...>').description(
      'run a command in a VM, streaming its output; exits with its exit code',
    ),
  ).action(async (vm: string, argv: string[], opts: ExecFlags) => {
    const request = await buildExecRequest(argv, opts);
    process.exitCode = await streamToTerminal(clientFromEnv(), vm, request);
  });
}
