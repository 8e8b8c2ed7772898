import type { Command } from 'commander';
import { AetherError } from '../../core/errors.js';
import { resolveConfig } from '../../runtime/config-file.js';
import { runNetworkCommand } from '../../runtime/network.js';
import { printFields, printJson } from '../format.js';

interface NetworkFlags {
  config?: string;
  json?: boolean;
}

interface SetupFlags extends NetworkFlags {
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

export function registerNetworkCommands(program: Command): void {
  const network = program
    .command('network')
    .description('host networking of microVMs: bridge, NAT, egress rules, TAP pool (on this host, as root)');
  const common = (command: Command) =>
    command
      .option('-c, --config <file>', 'YAML config file (env AETHER_CONFIG) with the network section')
      .option('--json', 'print JSON');

  common(
    network
      .command('setup')
      .description(
        'create or update the bridge (network.bridge, network.cidr), IPv4 forwarding and the nftables table `inet aetherium` (NAT and egress rules); changes only what differs',
      )
      .option('--tap-pool <n>', 'also make pool TAPs aethpool0..N-1 for workers without CAP_NET_ADMIN')
      .option('--tap-user <uid>', 'owner of the pool TAPs: the uid workers run as (default: yours)'),
  ).action(async (flags: SetupFlags) => {
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
  });

  common(
    network
      .command('teardown')
      .description('remove the nftables table, every guest TAP and the bridge (stop workers first)'),
  ).action(async (flags: NetworkFlags) => {
    const { changes } = await runNetworkCommand(configFrom(flags), { action: 'teardown' });
    printChanges(changes, 'nothing to remove', flags.json);
  });

  common(
    network
      .command('status')
      .description('show the bridge, forwarding, rules and TAPs; exit 1 when not ready'),
  ).action(async (flags: NetworkFlags) => {
    const status = await runNetworkCommand(configFrom(flags), { action: 'status' });
    if (flags.json) printJson(status);
    else {
      printFields([
        [
          'bridge',
          status.bridge.exists ? `${status.bridge.name} (${status.bridge.up ? 'up' : 'down'})` : null,
        ],
        ['addresses', status.bridge.addresses.join(', ') || null],
        ['forwarding', status.forwarding ? 'on' : 'off'],
        ['rules', status.rules],
        ['vm taps', status.vmTaps.length],
        ['pool taps', status.poolTaps.length],
        ['ready', status.problems.length === 0 ? 'yes' : `no: ${status.problems.join('; ')}`],
      ]);
    }
    if (status.problems.length > 0) process.exitCode = 1;
  });
}
