/**
 * What `aether network setup|teardown|status` run on this host, from src/runtime. Loaded by
 * `commands/network.ts` through `import()` once one of them is chosen.
 */
import { AetherError } from '../../core/errors.js';
import { resolveConfig } from '../../runtime/config-file.js';
import { runNetworkCommand } from '../../runtime/network.js';
import { printFields, printJson } from '../format.js';

export interface NetworkFlags {
  config?: string;
  json?: boolean;
}

export interface SetupFlags extends NetworkFlags {
  tapPool?: string;
  tapUser?: string;
}

/** The network settings as servers read them: config file > env > defaults. */
function configFrom(flags: NetworkFlags) {
  return resolveConfig({ env: process.env, configPath: flags.config }).config;
}

function wholeNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,10}$/.test(text)) throw new AetherError('ERR_VALIDATION', `${flag} must be a whole number`);
  return Number(text);
}

function printChanges(changes: string[], nothing: string, json: boolean | undefined): void {
  if (json) {
    printJson({ changes });
    return;
  }
  if (changes.length === 0) process.stdout.write(`${nothing}\n`);
  for (const change of changes) process.stdout.write(`${change}\n`);
}

export async function networkSetup(flags: SetupFlags): Promise<void> {
  const tapPool = wholeNumber('--tap-pool', flags.tapPool);
  const tapUser = wholeNumber('--tap-user', flags.tapUser);
  const { changes } = await runNetworkCommand(configFrom(flags), {
    action: 'setup',
    options: {
      ...(tapPool !== undefined ? { tapPool } : {}),
      ...(tapUser !== undefined ? { tapUser } : {}),
    },
  });
  printChanges(changes, 'host network already set up; nothing changed', flags.json);
}

export async function networkTeardown(flags: NetworkFlags): Promise<void> {
  const { changes } = await runNetworkCommand(configFrom(flags), { action: 'teardown' });
  printChanges(changes, 'nothing to remove', flags.json);
}

export async function networkStatus(flags: NetworkFlags): Promise<void> {
  const status = await runNetworkCommand(configFrom(flags), { action: 'status' });
  if (flags.json) printJson(status);
  else {
    printFields([
      ['bridge', status.bridge.exists ? `${status.bridge.name} (${status.bridge.up ? 'up' : 'down'})` : null],
      ['addresses', status.bridge.addresses.join(', ') || null],
      ['forwarding', status.forwarding ? 'on' : 'off'],
      ['rules', status.rules],
      ['vm taps', status.vmTaps.length],
      ['pool taps', status.poolTaps.length],
      ['ready', status.problems.length === 0 ? 'yes' : `no: ${status.problems.join('; ')}`],
    ]);
  }
  if (status.problems.length > 0) process.exitCode = 1;
}
