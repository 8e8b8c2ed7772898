import { AetherApiError } from '@aetherium/sdk';
import { Command, CommanderError } from 'commander';
import { AetherError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { registerAttachCommand } from './commands/attach.js';
import { registerCpCommand } from './commands/cp.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerExecCommand } from './commands/exec.js';
import { registerFsCommands } from './commands/fs.js';
import { registerImageCommands } from './commands/image.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerKillCommand } from './commands/kill.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerNetworkCommands } from './commands/network.js';
import { registerPortForwardCommand } from './commands/port-forward.js';
import { registerPsCommand } from './commands/ps.js';
import { registerRecordCommands } from './commands/records.js';
import { registerRunCommand } from './commands/run.js';
import { registerServerCommands } from './commands/server.js';
import { registerShellCommand } from './commands/shell.js';
import { registerSnapshotCommands } from './commands/snapshots.js';
import { registerTerminalCommands } from './commands/terminal.js';
import { registerVmCommands } from './commands/vm.js';
import { registerWebhookCommands } from './commands/webhook.js';
import { isLegacyInvocation, runLegacy } from './legacy.js';

export function buildProgram(): Command {
  const program = new Command('aether')
    .description('Aetherium: run untrusted workloads in isolated VMs')
    .version(VERSION)
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)');
  registerServerCommands(program);
  registerVmCommands(program);
  registerSnapshotCommands(program);
  registerExecCommand(program);
  registerRunCommand(program);
  registerPsCommand(program);
  registerAttachCommand(program);
  registerShellCommand(program);
  registerTerminalCommands(program);
  registerPortForwardCommand(program);
  registerKillCommand(program);
  registerCpCommand(program);
  registerFsCommands(program);
  registerRecordCommands(program);
  registerImageCommands(program);
  registerDoctorCommand(program);
  registerKeyCommands(program);
  registerWebhookCommands(program);
  registerLogsCommand(program);
  registerNetworkCommands(program);
  registerMcpCommand(program);
  return program;
}

/** A message on one line: what a driver or library wrapped over several lines, joined. */
function oneLine(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, ' ');
}

/** Prints a one-line reason instead of a stack trace; exit 1 (2 for usage errors). */
function reportError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof AetherApiError || error instanceof AetherError) {
    process.stderr.write(`aether: ${error.code}: ${oneLine(error.message)}\n`);
    return 1;
  }
  process.stderr.write(`aether: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
  return 1;
}

/**
 * A reader that stops early (`aether vm ls | head -1`) closes our stdout: stop quietly, as
 * other command-line tools do, instead of dying on an unhandled EPIPE with a stack trace.
 */
function exitQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

export async function main(argv: string[]): Promise<void> {
  exitQuietlyWhenStdoutCloses();
  try {
    if (isLegacyInvocation(argv)) {
      process.exitCode = await runLegacy(argv);
      return;
    }
    await buildProgram().exitOverride().parseAsync(argv, { from: 'user' });
  } catch (error) {
    process.exitCode = reportError(error);
  }
}
