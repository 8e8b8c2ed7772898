import type { Command } from 'commander';
import type { NetworkFlags, SetupFlags } from '../server-commands/network.js';

/** The host networking code loads only once one of these commands runs. */
const actions = () => import('../server-commands/network.js');

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
  ).action(async (flags: SetupFlags) => (await actions()).networkSetup(flags));

  common(
    network
      .command('teardown')
      .description('remove the nftables table, every guest TAP and the bridge (stop workers first)'),
  ).action(async (flags: NetworkFlags) => (await actions()).networkTeardown(flags));

  common(
    network
      .command('status')
      .description('show the bridge, forwarding, rules and TAPs; exit 1 when not ready'),
  ).action(async (flags: NetworkFlags) => (await actions()).networkStatus(flags));
}
