import { z } from 'zod';
import { parseIpv4Cidr } from '../ipv4.js';
import { booleanOption, defineOptions } from './option.js';

/** A host address inside its subnet, with a prefix of 8 to 30: `172.16.0.1/24`. */
function isBridgeCidr(value: string): boolean {
  const cidr = parseIpv4Cidr(value);
  return (
    cidr !== null &&
    value.includes('/') &&
    cidr.prefixLength >= 8 &&
    cidr.prefixLength <= 30 &&
    cidr.address !== cidr.network &&
    cidr.address !== cidr.network + cidr.size - 1
  );
}

/** The host bridge microVMs on TAP devices join, and what their traffic may reach (section `network`). */
export const NETWORK_OPTIONS = defineOptions({
  networkBridge: {
    env: 'AETHER_NETWORK_BRIDGE',
    file: 'network.bridge',
    default: 'aetherium0',
    doc: 'Host bridge that microVMs on TAP devices join (`aether network setup` makes it)',
    schema: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9_-]{0,14}$/,
        'must be an interface name: a letter, then letters, digits, _ or -; at most 15',
      ),
  },
  networkCidr: {
    env: 'AETHER_NETWORK_CIDR',
    file: 'network.cidr',
    default: '172.16.0.1/24',
    doc: "The bridge's address and prefix; guests are leased the subnet's other addresses",
    schema: z
      .string()
      .refine(isBridgeCidr, 'must be the bridge address with a prefix of 8 to 30, such as 172.16.0.1/24'),
  },
  networkEgressBlockPrivate: {
    env: 'AETHER_NETWORK_EGRESS_BLOCK_PRIVATE',
    file: 'network.egress_block_private',
    default: true,
    doc: 'Block guests from private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, 198.18/15); link-local, metadata and the host are blocked always',
    schema: booleanOption,
  },
  networkEgressAllow: {
    env: 'AETHER_NETWORK_EGRESS_ALLOW',
    file: 'network.egress_allow',
    default: '',
    doc: 'IPv4 CIDRs guests may reach even where blocked, comma-separated',
    schema: z
      .string()
      .refine(
        (v) => v.split(',').every((part) => part.trim() === '' || parseIpv4Cidr(part.trim()) !== null),
        'must list IPv4 CIDRs, comma-separated (10.1.0.0/16,192.0.2.7)',
      ),
  },
  networkDns: {
    env: 'AETHER_NETWORK_DNS',
    file: 'network.dns',
    default: '1.1.1.1,8.8.8.8',
    doc: 'DNS servers of guests on the bridge, IPv4, comma-separated, at most 2 (port 53 to them is let through the egress rules); empty = none',
    schema: z.string().refine((v) => {
      const parts = v
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
      return parts.length <= 2 && parts.every((part) => !part.includes('/') && parseIpv4Cidr(part) !== null);
    }, 'must list at most 2 IPv4 addresses, comma-separated (1.1.1.1,8.8.8.8), or be empty'),
  },
  networkTaps: {
    env: 'AETHER_NETWORK_TAPS',
    file: 'network.taps',
    default: 'auto',
    doc: 'Where a worker gets TAP devices: create (needs CAP_NET_ADMIN), pool (`aether network setup --tap-pool N`) or auto (create with CAP_NET_ADMIN, else pool)',
    schema: z.enum(['auto', 'create', 'pool']),
  },
  networkTapUser: {
    env: 'AETHER_NETWORK_TAP_USER',
    file: 'network.tap_user',
    default: '',
    doc: "Uid owning the TAPs a worker creates (the VMM runs as it); empty = the worker's own",
    schema: z.string().regex(/^(\d{1,10}|)$/, 'must be a numeric uid or empty'),
  },
});
