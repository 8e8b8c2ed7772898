/**
 * Host network settings, validated once: every value that later appears in an `ip` argument or
 * an nftables rule is re-formatted from what was parsed here.
 */
import type { CoreConfig } from '../core/config/core-config.js';
import { AetherError } from '../core/errors.js';
import { formatIpv4, type Ipv4Cidr, parseIpv4Cidr } from '../core/ipv4.js';

/** An interface name: at most 15 bytes (IFNAMSIZ - 1), nothing a rule or argv could misread. */
export const INTERFACE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,14}$/;

export interface NetworkSettingsInput {
  /** Bridge device name (default `aetherium0`). */
  bridge: string;
  /** The bridge's address with the subnet's prefix (default `172.16.0.1/24`). */
  cidr: string;
  /** Block guests from private ranges too (default true). */
  blockPrivate?: boolean;
  /** IPv4 blocks guests may reach even where a rule blocks them. */
  allow?: readonly string[];
  /** Up to two IPv4 DNS servers for guests (port 53 to them is let through). */
  dns?: readonly string[];
}

export interface NetworkSettings {
  bridge: string;
  /** The bridge's own address, the guests' gateway. */
  gatewayIp: string;
  prefixLength: number;
  /** The bridge's subnet; guests are leased its other addresses. */
  subnet: Ipv4Cidr;
  blockPrivate: boolean;
  allow: readonly Ipv4Cidr[];
  /** Dotted IPv4 addresses, at most two, as guests get them on the kernel command line. */
  dns: readonly string[];
}

function invalid(message: string): never {
  throw new AetherError('ERR_CONFIG', `network: ${message}`);
}

export function resolveNetworkSettings(input: NetworkSettingsInput): NetworkSettings {
  if (!INTERFACE_NAME.test(input.bridge)) {
    invalid(
      `bridge ${JSON.stringify(input.bridge)} is not an interface name (a letter, then letters, digits, _ or -; at most 15)`,
    );
  }
  const subnet = parseIpv4Cidr(input.cidr);
  if (!subnet || !input.cidr.includes('/') || subnet.prefixLength < 8 || subnet.prefixLength > 30) {
    invalid(
      `cidr ${JSON.stringify(input.cidr)} must be the bridge address with a prefix of 8 to 30, such as 172.16.0.1/24`,
    );
  }
  if (subnet.address === subnet.network || subnet.address === subnet.network + subnet.size - 1) {
    invalid(`cidr ${input.cidr}: the bridge address must be a host address, not the subnet's first or last`);
  }
  const allow = (input.allow ?? []).map((text) => {
    const block = parseIpv4Cidr(text);
    if (!block) invalid(`egress allow entry ${JSON.stringify(text)} is not an IPv4 address or CIDR`);
    return block;
  });
  const dns = (input.dns ?? []).map((text) => {
    const parsed = parseIpv4Cidr(text);
    if (!parsed || text.includes('/')) invalid(`dns entry ${JSON.stringify(text)} is not an IPv4 address`);
    return formatIpv4(parsed.address);
  });
  if (dns.length > 2) invalid(`dns lists ${dns.length} servers; the kernel command line carries at most 2`);
  return Object.freeze({
    bridge: input.bridge,
    gatewayIp: formatIpv4(subnet.address),
    prefixLength: subnet.prefixLength,
    subnet,
    blockPrivate: input.blockPrivate ?? true,
    allow: Object.freeze(allow),
    dns: Object.freeze(dns),
  });
}

export function networkSettingsFromConfig(config: CoreConfig): NetworkSettings {
  return resolveNetworkSettings({
    bridge: config.networkBridge,
    cidr: config.networkCidr,
    blockPrivate: config.networkEgressBlockPrivate,
    allow: config.networkEgressAllow
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
    dns: config.networkDns
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  });
}

/** The addresses guests may be leased: the subnet less its first and last, and the gateway. */
export function guestAddressRange(settings: NetworkSettings): {
  firstAddress: string;
  count: number;
  reserved: string[];
} {
  return {
    firstAddress: formatIpv4(settings.subnet.network + 1),
    count: settings.subnet.size - 2,
    reserved: [settings.gatewayIp],
  };
}
