/**
 * Where outbound webhooks may post: a guard against server-side request forgery. A project
 * names the URL, and the gateway posts from inside the operator's network, so a URL whose host
 * resolves to an internal address (loopback, private ranges, link-local with cloud metadata, ...)
 * is refused, unless the operator allows internal addresses or lists the CIDR. The check runs
 * when a subscription is made and again on every delivery, on the addresses the connection
 * actually uses (DNS may answer differently later).
 */
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { AetherError } from '../../core/errors.js';

export interface AddressPolicySettings {
  /** Internal addresses are allowed too (development, tests). */
  allowPrivate: boolean;
  /** CIDRs allowed even where internal addresses are refused. */
  allowCidrs: readonly string[];
}

type Family = 'ipv4' | 'ipv6';

/** Ranges refused by default, each with what to call it in a refusal. */
const INTERNAL: readonly [string, number, Family, string][] = [
  ['0.0.0.0', 8, 'ipv4', 'an unspecified address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address (RFC 1918)'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (cloud metadata lives there)'],
  ['172.16.0.0', 12, 'ipv4', 'a private address (RFC 1918)'],
  ['192.0.0.0', 24, 'ipv4', 'an IETF protocol address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address (RFC 1918)'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'an unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['::', 96, 'ipv6', 'an IPv4-compatible address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['fc00::', 7, 'ipv6', 'a unique local address (fd00:ec2::254 is cloud metadata)'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
];

const RANGES = INTERNAL.map(([network, prefix, family, label]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, label };
});

/** `::ffff:127.0.0.1` and `::ffff:7f00:1` are 127.0.0.1: judged as the IPv4 address they carry. */
function unmapped(address: string): { address: string; family: Family } {
  const lower = address.toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return { address: dotted[1]!, family: 'ipv4' };
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const value = Number.parseInt(hex[1]!, 16) * 65_536 + Number.parseInt(hex[2]!, 16);
    return { address: [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.'), family: 'ipv4' };
  }
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

export class AddressPolicy {
  private readonly allowed = new BlockList();

  constructor(private readonly settings: AddressPolicySettings) {
    for (const cidr of settings.allowCidrs) {
      const [network = '', prefix] = cidr.split('/');
      const family = isIP(network) === 6 ? 'ipv6' : 'ipv4';
      this.allowed.addSubnet(
        network,
        prefix === undefined ? (family === 'ipv6' ? 128 : 32) : Number(prefix),
        family,
      );
    }
  }

  /** Why `address` may not be posted to, or null when it may. */
  refusal(address: string): string | null {
    if (this.settings.allowPrivate) return null;
    const ip = unmapped(address);
    if (this.allowed.check(ip.address, ip.family)) return null;
    const range = RANGES.find((r) => r.family === ip.family && r.list.check(ip.address, ip.family));
    return range ? `${address} is ${range.label}` : null;
  }

  /**
   * Checks a subscription's URL: http or https, no credentials, and a host whose every address
   * may be posted to. Throws ERR_WEBHOOK_URL_REFUSED saying what to change.
   */
  async checkUrl(text: string): Promise<void> {
    const url = parseWebhookUrl(text);
    const host = hostOf(url);
    const addresses = isIP(host) ? [host] : await resolveAll(host);
    for (const address of addresses) {
      const why = this.refusal(address);
      if (why)
        throw refused(
          `${url.hostname} resolves to ${why}; use a public address (or set webhooks.allow_private / webhooks.allow_cidrs)`,
        );
    }
  }

  /**
   * A `lookup` for node:http that refuses internal addresses: the connection is made to the very
   * addresses checked here, so a DNS answer that changes between check and connect gains nothing.
   */
  readonly lookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const { address } of addresses) {
        const why = this.refusal(address);
        if (why)
          return callback(
            Object.assign(new Error(`address refused: ${hostname} resolves to ${why}`), {
              code: 'EREFUSED_ADDRESS',
            }),
            [],
          );
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

function refused(message: string): AetherError {
  return new AetherError('ERR_WEBHOOK_URL_REFUSED', message);
}

/** A URL a webhook may be sent to, or ERR_WEBHOOK_URL_REFUSED. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refused(`"${text}" is not a URL; give an absolute http:// or https:// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refused(`webhook URLs must be http:// or https://, not ${url.protocol}//`);
  }
  if (url.username || url.password) {
    throw refused(
      'webhook URLs may not carry credentials (they would be listed); receivers check the signature instead',
    );
  }
  return url;
}

/** The host as an address or a name: `[::1]` → `::1`. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

async function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(host, { all: true }, (error, addresses) => {
      if (error)
        reject(refused(`cannot resolve ${host} (${error.code ?? error.message}); check the host name`));
      else resolve(addresses.map((a) => a.address));
    });
  });
}
