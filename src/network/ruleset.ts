/**
 * The nftables ruleset of the host's guest network, generated as text from validated settings.
 * Everything lives in one table, `inet aetherium`, so teardown is `delete table` and nothing
 * else on the host (Docker, a firewall) is touched. Applied with `nft -f -` in one transaction:
 * the table is declared, deleted and declared again, so applying it replaces the previous
 * version atomically and applying it twice leaves the host as it was.
 *
 * What guests get (the bridge is the only way in or out of a guest):
 * - to the host itself (any of its addresses): nothing but replies to connections the host
 *   opened and ICMP echo; the platform needs no guest → host traffic (the agent speaks over
 *   vsock or virtio-serial; addresses come from the kernel command line, not DHCP);
 * - to other guests: nothing. TAPs are isolated bridge ports (no guest → guest frames), and
 *   routing back into the bridge through the gateway is dropped here;
 * - outside: NAT (masquerade) to anywhere except link-local and metadata (169.254.0.0/16),
 *   loopback, 0.0.0.0/8, multicast and reserved space, and (by default) the private ranges;
 *   an allow-list of CIDRs overrides those blocks, and the guests' DNS servers are reachable on
 *   port 53 (only) wherever they are;
 * - from outside: replies only; no connection into a guest is forwarded. IPv6 is not forwarded.
 *
 * A second table, `bridge aetherium`, binds each per-VM TAP to the MAC and address leased with
 * it (elements added and removed by the worker as VMs come and go): a frame from a VM's TAP
 * whose source MAC or IPv4 address is not its own, or an ARP packet claiming another's address,
 * is dropped before it reaches the bridge, so a guest cannot pose as another guest (nor hijack
 * its replies by poisoning the host's ARP cache). Pool TAPs (`aethpool*`) have no fixed binding
 * and get only the subnet check above. The table holds state (the bindings), so setup replaces
 * it only when its own rules change, never when the egress rules do.
 */
import { createHash } from 'node:crypto';
import { formatIpv4Block, type Ipv4Cidr, parseIpv4Cidr } from '../core/ipv4.js';
import type { NetworkSettings } from './network-settings.js';
import { POOL_TAP_PREFIX, TAP_PREFIX } from './tap-names.js';

export const NFT_TABLE = 'aetherium';
export const NFT_FAMILY = 'inet';
/** The layer-2 table of TAP bindings (same name, bridge family). */
export const NFT_BRIDGE_FAMILY = 'bridge';
export const BINDINGS_SET = 'guest_bindings';

/** Never reachable from a guest, whatever the settings (unless allow-listed). */
export const ALWAYS_BLOCKED = [
  '0.0.0.0/8', // "this network"
  '127.0.0.0/8', // loopback (a martian on the wire, blocked in case routing says otherwise)
  '169.254.0.0/16', // link-local, including cloud metadata at 169.254.169.254
  '224.0.0.0/3', // multicast, reserved, broadcast
] as const;

/** Blocked when `blockPrivate` (the default). */
export const PRIVATE_RANGES = [
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT, often a provider's internal network
  '172.16.0.0/12',
  '192.168.0.0/16',
  '198.18.0.0/15', // benchmarking, used inside some data centres
] as const;

function blocks(texts: readonly string[]): Ipv4Cidr[] {
  return texts.map((text) => parseIpv4Cidr(text)!);
}

function setBody(elements: readonly Ipv4Cidr[]): string {
  const unique = [...new Set(elements.map(formatIpv4Block))];
  // Overlapping blocks (10.0.0.0/8 and 10.1.0.0/16) are merged by auto-merge, not refused.
  const lines = ['\t\ttype ipv4_addr', '\t\tflags interval', '\t\tauto-merge'];
  if (unique.length > 0) lines.push(`\t\telements = { ${unique.join(', ')} }`);
  return lines.join('\n');
}

/** The ruleset body, without the table's comment (see `buildRuleset`). */
function rules(settings: NetworkSettings): string {
  const bridge = `"${settings.bridge}"`;
  const subnet = formatIpv4Block(settings.subnet);
  const blocked = [
    ...blocks(ALWAYS_BLOCKED),
    ...(settings.blockPrivate ? blocks(PRIVATE_RANGES) : []),
    settings.subnet,
  ];
  return `\tset blocked_v4 {
${setBody(blocked)}
\t}

\tset allowed_v4 {
${setBody(settings.allow)}
\t}

\tset dns_v4 {
${setBody(settings.dns.map((address) => parseIpv4Cidr(address)!))}
\t}

\tchain input {
\t\ttype filter hook input priority filter; policy accept;
\t\tiifname ${bridge} jump guest_to_host
\t}

\tchain guest_to_host {
\t\tct state established,related accept
\t\ticmp type echo-request limit rate 10/second accept
\t\tcounter drop
\t}

\tchain forward {
\t\ttype filter hook forward priority filter; policy accept;
\t\tiifname ${bridge} jump guest_egress
\t\toifname ${bridge} ct state established,related accept
\t\toifname ${bridge} counter drop
\t}

\tchain guest_egress {
\t\tmeta nfproto ipv6 counter drop
\t\tip saddr != ${subnet} counter drop
\t\toifname ${bridge} counter drop
\t\tct state established,related accept
\t\tip daddr @allowed_v4 accept
\t\tip daddr @dns_v4 udp dport 53 accept
\t\tip daddr @dns_v4 tcp dport 53 accept
\t\tip daddr @blocked_v4 counter drop
\t\taccept
\t}

\tchain postrouting {
\t\ttype nat hook postrouting priority srcnat; policy accept;
\t\tip saddr ${subnet} oifname != ${bridge} masquerade
\t}`;
}

/** A short digest of the rules, kept as the table's comment: setup rewrites only on a change. */
export function rulesetDigest(settings: NetworkSettings): string {
  return createHash('sha256').update(rules(settings)).digest('hex').slice(0, 16);
}

/** The comment setup writes on the table: `aether <digest>`. */
export function tableComment(settings: NetworkSettings): string {
  return `aether ${rulesetDigest(settings)}`;
}

/** The `nft -f -` input that replaces the table with the one these settings describe. */
export function buildRuleset(settings: NetworkSettings): string {
  const table = `${NFT_FAMILY} ${NFT_TABLE}`;
  return `table ${table}
delete table ${table}
table ${table} {
\tcomment "${tableComment(settings)}"

${rules(settings)}
}
`;
}

/** The bridge-family table's rules: one set of bindings, one check on frames from VM TAPs. */
function bindingRules(): string {
  return `\tset ${BINDINGS_SET} {
\t\ttype ifname . ether_addr . ipv4_addr
\t}

\tchain prerouting {
\t\ttype filter hook prerouting priority filter; policy accept;
\t\tiifname "${POOL_TAP_PREFIX}*" accept
\t\tiifname "${TAP_PREFIX}*" jump guest_frames
\t}

\tchain guest_frames {
\t\tether type ip iifname . ether saddr . ip saddr @${BINDINGS_SET} accept
\t\tether type arp iifname . ether saddr . arp saddr ip @${BINDINGS_SET} iifname . arp saddr ether . arp saddr ip @${BINDINGS_SET} accept
\t\tcounter drop
\t}`;
}

/** The comment setup writes on the bindings table: `aether-l2 <digest>`. */
export function bindingTableComment(): string {
  return `aether-l2 ${createHash('sha256').update(bindingRules()).digest('hex').slice(0, 16)}`;
}

/** The `nft -f -` input that (re)creates the bindings table, empty. */
export function buildBindingTable(): string {
  const table = `${NFT_BRIDGE_FAMILY} ${NFT_TABLE}`;
  return `table ${table}
delete table ${table}
table ${table} {
\tcomment "${bindingTableComment()}"

${bindingRules()}
}
`;
}

/**
 * The set element binding a VM's TAP to its MAC and address, as `nft add|delete element` takes
 * it: `{ "aeth…" . 02:… . 172.16.0.2 }`. The parts are checked: they come from the store.
 */
export function bindingElement(binding: { tapName: string; guestMac: string; guestIp: string }): string {
  if (!/^[A-Za-z0-9_-]{1,15}$/.test(binding.tapName)) throw new Error(`not a TAP name: ${binding.tapName}`);
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(binding.guestMac))
    throw new Error(`not a MAC: ${binding.guestMac}`);
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(binding.guestIp))
    throw new Error(`not an IPv4 address: ${binding.guestIp}`);
  return `{ "${binding.tapName}" . ${binding.guestMac} . ${binding.guestIp} }`;
}
