import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatewayKey } from './gateway-keys.js';
import { type CommandResult, runCommand } from './run-command.js';

/** The CLI's entry point from source, for tests that spawn it themselves. */
export const CLI_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli-entry.ts');

export type CliResult = Pick<CommandResult, 'code' | 'stdout' | 'stderr'>;

/** Runs `aether ARGS` as a separate process against the gateway at `url`. */
export async function runCli(url: string, args: string[], stdin?: string): Promise<CliResult> {
  const { code, stdout, stderr } = await runCommand(
    [process.execPath, '--import', 'tsx', CLI_ENTRY, ...args],
    {
      env: {
        ...process.env,
        AETHER_URL: url,
        AETHER_TOKEN: gatewayKey(url) ?? process.env.AETHER_TOKEN ?? '',
      },
      stdin,
      timeoutMs: 120_000,
    },
  );
  return { code, stdout, stderr };
}
