import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { addCommandLineCommand } from '../command-line-command.js';
import { driverName } from '../driver-name.js';
import { streamToTerminal } from '../exec-stream.js';
import { addExecOptions, buildExecRequest, type ExecFlags } from './exec.js';

export function registerRunCommand(program: Command): void {
  addExecOptions(
    addCommandLineCommand(program, 'run <command...>')
      .description("one shot: create a VM, run a command in it, delete it; exits with the command's code")
      .option('--driver <driver>', 'VM driver')
      .option('--name <name>', 'VM name (default: run-<random>)')
      .option('--keep', 'keep the VM afterwards'),
  ).action(async (argv: string[], opts: ExecFlags & { driver?: string; name?: string; keep?: boolean }) => {
    const client = clientFromEnv();
    const request = buildExecRequest(argv, opts);
    const name = opts.name ?? `run-${randomBytes(4).toString('hex')}`;
    const created = await client.createVm(
      { name, ...(opts.driver ? { driver: driverName(opts.driver) } : {}) },
      { wait: true },
    );
    try {
      process.exitCode = await streamToTerminal(client, created.vm.id, request);
    } finally {
      if (!opts.keep) await client.deleteVm(created.vm.id, { wait: true });
    }
  });
}
