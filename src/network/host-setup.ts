/**
 * `aether network setup | teardown | status`: the host side of guest networking. Setup converges
 * the host on the settings — bridge with its address, up; IPv4 forwarding on; the nftables table
 * (ruleset.ts); optionally a pool of pre-made TAPs — and changes only what differs, so running
 * it twice changes nothing the second time (its report is empty). Needs root or CAP_NET_ADMIN.
 */
import { AetherError } from '../core/errors.js';
import type { CommandRunner } from './host-commands.js';
import { deleteLink, getLink, listLinks } from './links.js';
import type { NetworkSettings } from './network-settings.js';
import {
  bindingTableComment,
  buildBindingTable,
  buildRuleset,
  NFT_BRIDGE_FAMILY,
  NFT_FAMILY,
  NFT_TABLE,
  tableComment,
} from './ruleset.js';
import { isPoolTapName, isVmTapName, MAX_POOL_SIZE, poolTapName } from './tap-names.js';
import { createTap } from './taps.js';

export interface SetupOptions {
  /** Ensure pool TAPs `aethpool0` … `aethpool<N-1>` exist (on the bridge, isolated, up). */
  tapPool?: number;
  /** Owner of the pool TAPs: the uid the workers (and their VMMs) run as. Default: ours. */
  tapUser?: number;
}

/** What a command changed on the host, one line each; empty when it changed nothing. */
export interface HostChanges {
  changes: string[];
}

export interface HostNetworkStatus {
  bridge: { name: string; exists: boolean; up: boolean; addresses: string[] };
  forwarding: boolean;
  /** `current`: the table matches these settings; `outdated`: it is from other settings. */
  rules: 'current' | 'outdated' | 'missing';
  vmTaps: string[];
  poolTaps: string[];
  /** Each thing that keeps guests from the network as configured; empty when ready. */
  problems: string[];
}

const NO_TABLE = /No such file or directory|does not exist/;
const TABLE = `${NFT_FAMILY} ${NFT_TABLE}`;
const BINDING_TABLE = `${NFT_BRIDGE_FAMILY} ${NFT_TABLE}`;

async function ipv4Addresses(run: CommandRunner, device: string): Promise<string[]> {
  const { stdout } = await run(['ip', '-j', '-4', 'addr', 'show', 'dev', device]);
  const [entry] = JSON.parse(stdout || '[]') as { addr_info?: { local?: string; prefixlen?: number }[] }[];
  return (entry?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
}

async function forwardingOn(run: CommandRunner): Promise<boolean> {
  const { stdout } = await run(['sysctl', '-n', 'net.ipv4.ip_forward']);
  return stdout.trim() === '1';
}

/** The comment of our nftables table (`aether <digest>`), or null when there is no table. */
/** The comment of our table of `family` (what version of the rules it is), or 'none'. */
async function installedRules(
  run: CommandRunner,
  family: string = NFT_FAMILY,
): Promise<string | null | 'none'> {
  // `-t`: the table's rules and sets without their elements (the bindings may be many).
  const { stdout, stderr } = await run(['nft', '-t', 'list', 'table', family, NFT_TABLE], { okIf: NO_TABLE });
  if (stdout === '' && NO_TABLE.test(stderr)) return 'none';
  return /comment "([^"]*)"/.exec(stdout)?.[1] ?? null;
}

function validatePool(options: SetupOptions): void {
  const { tapPool, tapUser } = options;
  if (tapPool !== undefined && (!Number.isInteger(tapPool) || tapPool < 0 || tapPool > MAX_POOL_SIZE)) {
    throw new AetherError('ERR_VALIDATION', `--tap-pool must be an integer 0..${MAX_POOL_SIZE}`);
  }
  if (tapUser !== undefined && (!Number.isInteger(tapUser) || tapUser < 0 || tapUser > 0xfffffffe)) {
    throw new AetherError('ERR_VALIDATION', '--tap-user must be a numeric uid');
  }
}

export async function setupHost(
  run: CommandRunner,
  settings: NetworkSettings,
  options: SetupOptions = {},
): Promise<HostChanges> {
  validatePool(options);
  const changes: string[] = [];
  const name = settings.bridge;
  const bridge = await getLink(run, name);
  if (bridge && bridge.kind !== 'bridge') {
    throw new AetherError(
      'ERR_NETWORK_UNAVAILABLE',
      `${name} exists and is a ${bridge.kind ?? 'plain'} device, not a bridge: choose another network.bridge`,
    );
  }
  if (!bridge) {
    await run(['ip', 'link', 'add', 'name', name, 'type', 'bridge']);
    changes.push(`created bridge ${name}`);
  }

  const wanted = `${settings.gatewayIp}/${settings.prefixLength}`;
  const present = await ipv4Addresses(run, name);
  // The bridge is ours: an address from earlier settings would route a stale subnet to guests.
  for (const stale of present.filter((address) => address !== wanted)) {
    await run(['ip', 'addr', 'del', stale, 'dev', name]);
    changes.push(`removed address ${stale} from ${name}`);
  }
  if (!present.includes(wanted)) {
    await run(['ip', 'addr', 'add', wanted, 'dev', name]);
    changes.push(`gave ${name} the address ${wanted}`);
  }
  if (!bridge?.up) {
    await run(['ip', 'link', 'set', 'dev', name, 'up']);
    changes.push(`brought ${name} up`);
  }

  if (!(await forwardingOn(run))) {
    await run(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    changes.push('enabled IPv4 forwarding (net.ipv4.ip_forward=1)');
  }

  const comment = tableComment(settings);
  const installed = await installedRules(run);
  if (installed !== comment) {
    await run(['nft', '-f', '-'], { stdin: buildRuleset(settings) });
    changes.push(
      `${installed === 'none' ? 'created' : 'replaced'} nftables table ${TABLE} (NAT, egress rules)`,
    );
  }
  // Replacing it drops the VMs' bindings: only when missing or of another version. Workers add
  // the bindings of their running VMs again when they reconcile.
  const bindings = await installedRules(run, NFT_BRIDGE_FAMILY);
  if (bindings !== bindingTableComment()) {
    await run(['nft', '-f', '-'], { stdin: buildBindingTable() });
    changes.push(
      `${bindings === 'none' ? 'created' : 'replaced'} nftables table ${BINDING_TABLE} (TAP ↔ MAC and address bindings)`,
    );
  }

  const owner = options.tapUser ?? process.getuid?.() ?? 0;
  for (let index = 0; index < (options.tapPool ?? 0); index++) {
    const tap = poolTapName(index);
    if (await createTap(run, { name: tap, owner, bridge: name })) changes.push(`made pool TAP ${tap}`);
  }
  return { changes };
}

/**
 * Removes the table, every guest TAP (VM and pool) and the bridge. IPv4 forwarding stays on:
 * other software on the host (Docker, VPNs) may rely on it, and setup cannot know who else
 * turned it on. Running VMs lose their network: stop workers first.
 */
export async function teardownHost(run: CommandRunner, settings: NetworkSettings): Promise<HostChanges> {
  const changes: string[] = [];
  if ((await installedRules(run)) !== 'none') {
    await run(['nft', 'delete', 'table', NFT_FAMILY, NFT_TABLE], { okIf: NO_TABLE });
    changes.push(`deleted nftables table ${TABLE}`);
  }
  if ((await installedRules(run, NFT_BRIDGE_FAMILY)) !== 'none') {
    await run(['nft', 'delete', 'table', NFT_BRIDGE_FAMILY, NFT_TABLE], { okIf: NO_TABLE });
    changes.push(`deleted nftables table ${BINDING_TABLE}`);
  }
  for (const link of await listLinks(run)) {
    if (link.kind === 'tun' && (isVmTapName(link.name) || isPoolTapName(link.name))) {
      await deleteLink(run, link.name);
      changes.push(`deleted TAP ${link.name}`);
    }
  }
  const bridge = await getLink(run, settings.bridge);
  if (bridge?.kind === 'bridge') {
    await deleteLink(run, settings.bridge);
    changes.push(`deleted bridge ${settings.bridge}`);
  }
  return { changes };
}

export async function hostStatus(run: CommandRunner, settings: NetworkSettings): Promise<HostNetworkStatus> {
  const links = await listLinks(run);
  const bridge = links.find((link) => link.name === settings.bridge);
  const isBridge = bridge?.kind === 'bridge';
  const addresses = isBridge ? await ipv4Addresses(run, settings.bridge) : [];
  const forwarding = await forwardingOn(run);
  const installed = await installedRules(run);
  const rules =
    installed === 'none' ? 'missing' : installed === tableComment(settings) ? 'current' : 'outdated';
  const taps = links.filter((link) => link.kind === 'tun');
  const wanted = `${settings.gatewayIp}/${settings.prefixLength}`;
  const problems: string[] = [];
  if (!bridge) problems.push(`no bridge ${settings.bridge}`);
  else if (!isBridge) problems.push(`${settings.bridge} is not a bridge`);
  else {
    if (!addresses.includes(wanted)) problems.push(`${settings.bridge} lacks the address ${wanted}`);
    if (!bridge.up) problems.push(`${settings.bridge} is down`);
  }
  if (!forwarding) problems.push('IPv4 forwarding is off');
  if (rules !== 'current') problems.push(`nftables table ${TABLE} is ${rules}`);
  const bindings = await installedRules(run, NFT_BRIDGE_FAMILY);
  if (bindings !== bindingTableComment()) {
    problems.push(`nftables table ${BINDING_TABLE} is ${bindings === 'none' ? 'missing' : 'outdated'}`);
  }
  return {
    bridge: { name: settings.bridge, exists: isBridge, up: bridge?.up ?? false, addresses },
    forwarding,
    rules,
    vmTaps: taps.filter((link) => isVmTapName(link.name)).map((link) => link.name),
    poolTaps: taps.filter((link) => isPoolTapName(link.name)).map((link) => link.name),
    problems,
  };
}
