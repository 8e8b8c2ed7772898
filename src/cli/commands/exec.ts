import type { ExecuteRequest } from '@aetherium/sdk';
import type { Command } from 'commander';
import { AetherError } from '../../core/errors.js';
import { clientFromEnv } from '../client-from-env.js';
import { addCommandLineCommand } from '../command-line-command.js';
import { parseEnvPairs, streamToTerminal } from '../exec-stream.js';
import { printJson } from '../format.js';
import { openAndRelay } from '../terminal-client.js';

export interface ExecFlags {
  env: string[];
  cwd?: string;
  timeout?: string;
  stdin?: boolean;
  retrySafe?: boolean;
}

/**
 * The request `exec` and `run` send. With `-i` our stdin is streamed to the command while it
 * runs (`stdin_stream`), never read whole first; `--timeout 0` asks for no limit of its own.
 */
export function buildExecRequest(argv: string[], opts: ExecFlags): ExecuteRequest {
  const [command, ...args] = argv;
  if (!command) throw new Error('name the command to run after --, e.g. `aether exec dev -- uname -a`');
  const timeout = opts.timeout === undefined ? undefined : Number(opts.timeout);
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 0)) {
    throw new Error(`--timeout takes milliseconds as a whole number (0: no limit), got "${opts.timeout}"`);
  }
  return {
    command,
    args,
    ...(opts.env.length > 0 ? { env: parseEnvPairs(opts.env) } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(timeout !== undefined ? { timeout_ms: timeout } : {}),
    ...(opts.stdin ? { stdin_stream: true } : {}),
    ...(opts.retrySafe ? { retry_safe: true } : {}),
  };
}

export const collect = (value: string, previous: string[]) => [...previous, value];

export function addExecOptions(command: Command): Command {
  return command
    .option('-e, --env <NAME=VALUE>', 'environment variable (repeatable)', collect, [])
    .option('-w, --cwd <dir>', 'working directory inside the VM')
    .option('--timeout <ms>', 'kill the command after this many milliseconds (0: no limit of its own)')
    .option('-i, --stdin', 'stream our stdin to the command while it runs')
    .option('--retry-safe', 'the command may run again if its worker dies mid-run');
}

interface ExecCommandFlags extends ExecFlags {
  detach?: boolean;
  json?: boolean;
  tty?: boolean;
}

export function registerExecCommand(program: Command): void {
  addExecOptions(
    addCommandLineCommand(program, 'exec <vm> <command...>').description(
      'run a command in a VM, streaming its output; exits with its exit code',
    ),
  )
    .option('-t, --tty', 'run the command on a terminal (with -i: interactive, as `docker exec -it`)')
    .option('-d, --detach', 'start the command, print its execution id and return (see ps, attach, kill)')
    .option('--json', 'with --detach: print the accepted execution as JSON')
    .action(async (vm: string, argv: string[], opts: ExecCommandFlags) => {
      if (opts.tty) {
        process.exitCode = await runOnTerminal(vm, argv, opts);
        return;
      }
      const request = buildExecRequest(argv, opts);
      const client = clientFromEnv();
      if (!opts.detach) {
        process.exitCode = await streamToTerminal(client, vm, request);
        return;
      }
      if (opts.stdin) {
        throw new AetherError(
          'ERR_VALIDATION',
          '-i streams our stdin while `aether exec` runs, so it cannot go with -d',
        );
      }
      const accepted = await client.execute(vm, request);
      if (opts.json) return printJson(accepted);
      process.stdout.write(`${accepted.execution_id}\n`);
    });
}

/**
 * `exec -t`: the command on a terminal session rather than as an execution (no stored output,
 * no queue: the gateway reaches the VM's worker directly). `--timeout`, `-d` and `--retry-safe`
 * belong to executions and are refused here.
 */
async function runOnTerminal(vm: string, argv: string[], opts: ExecCommandFlags): Promise<number> {
  for (const [flag, set] of [
    ['--timeout', opts.timeout !== undefined],
    ['-d', opts.detach],
    ['--retry-safe', opts.retrySafe],
    ['--json', opts.json],
  ] as const) {
    if (set) throw new AetherError('ERR_VALIDATION', `${flag} does not go with -t (a terminal session)`);
  }
  if (opts.stdin && !process.stdin.isTTY) {
    throw new AetherError(
      'ERR_VALIDATION',
      'the input device is not a terminal: -it needs one (drop -t to stream piped input with -i)',
    );
  }
  return openAndRelay(clientFromEnv(), vm, {
    argv,
    env: opts.env.length > 0 ? parseEnvPairs(opts.env) : undefined,
    cwd: opts.cwd,
    input: opts.stdin === true,
  });
}
