/**
 * IPv4 addresses and CIDR blocks as numbers. Parsing is strict (four decimal octets without
 * leading zeros, a prefix 0..32) because these values end up in `ip` arguments and nftables rules:
 * whatever is written there is re-formatted from the numbers, never copied from input.
 */

const OCTET = /^(0|[1-9]\d{0,2})$/;

/** `172.16.0.1` → 0xac100001; null when not a dotted IPv4 address. */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export interface Ipv4Cidr {
  /** The address as written (a host's own address in `172.16.0.1/24`). */
  address: number;
  prefixLength: number;
  /** First address of the block (host bits cleared). */
  network: number;
  /** Number of addresses in the block. */
  size: number;
}

/** `172.16.0.1/24`; a bare address is a /32. Null when malformed. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | null {
  const [addressText, prefixText, ...rest] = text.trim().split('/');
  if (addressText === undefined || rest.length > 0) return null;
  const address = parseIpv4(addressText);
  if (address === null) return null;
  if (prefixText !== undefined && !/^(0|[1-9]\d?)$/.test(prefixText)) return null;
  const prefixLength = prefixText === undefined ? 32 : Number(prefixText);
  if (prefixLength > 32) return null;
  const size = 2 ** (32 - prefixLength);
  return { address, prefixLength, network: address - (address % size), size };
}

/** `10.1.2.3/8` → `10.0.0.0/8`: the block, as nftables and `ip route` want it. */
export function formatIpv4Block(cidr: Pick<Ipv4Cidr, 'network' | 'prefixLength'>): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefixLength}`;
}
