import { describe, expect, it } from 'vitest';
import { isAetherError } from '../core/errors.js';
import { formatIpv4, parseIpv4, parseIpv4Cidr } from '../core/ipv4.js';
import { kernelIpArg, prefixToNetmask } from '../core/network-attachment.js';
import { chooseTapSource, hasNetAdmin } from './net-admin.js';
import { guestAddressRange, resolveNetworkSettings } from './network-settings.js';
import { buildRuleset, tableComment } from './ruleset.js';
import { isPoolTapName, isVmTapName, macForVm, poolTapName, tapNameForVm } from './tap-names.js';

describe('IPv4 parsing', () => {
  it('reads dotted addresses and CIDRs strictly', () => {
    expect(parseIpv4('172.16.0.1')).toBe(0xac100001);
    expect(formatIpv4(0xac100001)).toBe('172.16.0.1');
    for (const bad of [
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3.-4',
      ' 1.2.3.4',
      '1.2.3.4;',
      'a.b.c.d',
    ])
      expect(parseIpv4(bad), bad).toBeNull();
    expect(parseIpv4Cidr('10.1.2.3/8')).toMatchObject({
      prefixLength: 8,
      network: 0x0a000000,
      size: 2 ** 24,
    });
    expect(parseIpv4Cidr('192.0.2.7')).toMatchObject({ prefixLength: 32, size: 1 });
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/08', '10.0.0.0/8/8', '10.0.0.0/8 drop'])
      expect(parseIpv4Cidr(bad), bad).toBeNull();
  });

  it('writes the kernel ip= argument with the netmask of the prefix', () => {
    expect(prefixToNetmask(24)).toBe('255.255.255.0');
    expect(prefixToNetmask(30)).toBe('255.255.255.252');
    expect(prefixToNetmask(0)).toBe('0.0.0.0');
    expect(
      kernelIpArg({
        tapName: 'aeth0123456789a',
        guestMac: '02:00:00:00:00:01',
        guestIp: '172.16.0.2',
        gatewayIp: '172.16.0.1',
        prefixLength: 30,
      }),
    ).toBe('ip=172.16.0.2::172.16.0.1:255.255.255.252::eth0:off');
  });
});

describe('network settings', () => {
  it('derives the gateway and the guests range from the bridge CIDR', () => {
    const settings = resolveNetworkSettings({ bridge: 'aetherium0', cidr: '172.16.0.1/24' });
    expect(settings).toMatchObject({ gatewayIp: '172.16.0.1', prefixLength: 24, blockPrivate: true });
    expect(guestAddressRange(settings)).toEqual({
      firstAddress: '172.16.0.1',
      count: 254,
      reserved: ['172.16.0.1'],
    });
    const middle = resolveNetworkSettings({ bridge: 'br0', cidr: '10.0.0.129/25' });
    expect(guestAddressRange(middle)).toEqual({
      firstAddress: '10.0.0.129',
      count: 126,
      reserved: ['10.0.0.129'],
    });
  });

  it('refuses names and addresses that could not go into a rule or argv as they are', () => {
    const bad = [
      { bridge: 'br"; flush ruleset', cidr: '172.16.0.1/24' },
      { bridge: 'a-very-long-bridge-name', cidr: '172.16.0.1/24' },
      { bridge: 'br0', cidr: '172.16.0.0/24' },
      { bridge: 'br0', cidr: '172.16.0.255/24' },
      { bridge: 'br0', cidr: '172.16.0.1/31' },
      { bridge: 'br0', cidr: '172.16.0.1' },
      { bridge: 'br0', cidr: '172.16.0.1/24', allow: ['10.0.0.0/8 accept'] },
    ];
    for (const input of bad) {
      let error: unknown;
      try {
        resolveNetworkSettings(input);
      } catch (e) {
        error = e;
      }
      expect(isAetherError(error, 'ERR_CONFIG'), JSON.stringify(input)).toBe(true);
    }
  });
});

describe('nftables ruleset', () => {
  const settings = resolveNetworkSettings({
    bridge: 'aetherium0',
    cidr: '172.16.0.1/24',
    allow: ['10.9.8.7/16'],
  });
  const text = buildRuleset(settings);

  it('replaces one table atomically and blocks metadata, the host and private ranges by default', () => {
    expect(text.startsWith('table inet aetherium\ndelete table inet aetherium\ntable inet aetherium {')).toBe(
      true,
    );
    expect(text).toContain('169.254.0.0/16');
    expect(text).toContain('10.0.0.0/8');
    expect(text).toContain('iifname "aetherium0" jump guest_to_host');
    expect(text).toContain('ip saddr 172.16.0.0/24 oifname != "aetherium0" masquerade');
    // Allow entries are written as blocks, from the parsed numbers.
    expect(text).toContain('elements = { 10.9.0.0/16 }');
    expect(text).toContain(`comment "${tableComment(settings)}"`);
  });

  it('lets guests reach their DNS servers on port 53 only, and hands them over in ip=', () => {
    const withDns = resolveNetworkSettings({
      bridge: 'aetherium0',
      cidr: '172.16.0.1/24',
      dns: ['10.0.0.53'],
    });
    const rules = buildRuleset(withDns);
    expect(rules).toMatch(/set dns_v4 \{[^}]*elements = \{ 10\.0\.0\.53(\/32)? \}/);
    expect(rules).toContain('ip daddr @dns_v4 udp dport 53 accept');
    expect(rules).toContain('ip daddr @dns_v4 tcp dport 53 accept');
    // Before the blocks: a private resolver is reachable, on port 53 only.
    expect(rules.indexOf('@dns_v4 udp')).toBeLessThan(rules.indexOf('ip daddr @blocked_v4'));
    const attachment = {
      tapName: 'aeth0',
      guestMac: '02:00:00:00:00:01',
      guestIp: '172.16.0.2',
      gatewayIp: '172.16.0.1',
      prefixLength: 24,
    };
    expect(kernelIpArg({ ...attachment, dnsServers: ['1.1.1.1', '8.8.8.8'] })).toBe(
      'ip=172.16.0.2::172.16.0.1:255.255.255.0::eth0:off:1.1.1.1:8.8.8.8',
    );
    expect(kernelIpArg(attachment)).toBe('ip=172.16.0.2::172.16.0.1:255.255.255.0::eth0:off');
    for (const dns of [['1.1.1.1', '8.8.8.8', '9.9.9.9'], ['1.1.1.0/24'], ['resolver']]) {
      let error: unknown;
      try {
        resolveNetworkSettings({ bridge: 'aetherium0', cidr: '172.16.0.1/24', dns });
      } catch (e) {
        error = e;
      }
      expect(isAetherError(error, 'ERR_CONFIG'), dns.join(',')).toBe(true);
    }
  });

  it('leaves private ranges open when asked, but never metadata or the bridge subnet', () => {
    const open = buildRuleset(
      resolveNetworkSettings({ bridge: 'aetherium0', cidr: '172.16.0.1/24', blockPrivate: false }),
    );
    expect(open).not.toContain('10.0.0.0/8');
    expect(open).toContain('169.254.0.0/16');
    expect(open).toContain('172.16.0.0/24');
    expect(tableComment(settings)).not.toBe(
      tableComment(resolveNetworkSettings({ bridge: 'aetherium0', cidr: '172.16.0.1/24' })),
    );
  });
});

describe('TAP names and MACs', () => {
  it('names a VM TAP within IFNAMSIZ, stably, apart from pool TAPs', () => {
    const id = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    expect(tapNameForVm(id)).toBe('aeth0f1e2d3c4b5');
    expect(tapNameForVm('not-a-uuid')).toMatch(/^aeth[0-9a-f]{11}$/);
    expect(tapNameForVm(id).length).toBeLessThanOrEqual(15);
    expect(isVmTapName(tapNameForVm(id))).toBe(true);
    expect(isPoolTapName(tapNameForVm(id))).toBe(false);
    expect(poolTapName(9_999)).toBe('aethpool9999');
    expect(isPoolTapName(poolTapName(0))).toBe(true);
    expect(isVmTapName(poolTapName(0))).toBe(false);
  });

  it('gives each VM a stable, locally administered unicast MAC', () => {
    const mac = macForVm('vm-1');
    expect(mac).toBe(macForVm('vm-1'));
    expect(mac).not.toBe(macForVm('vm-2'));
    expect(mac).toMatch(/^02(:[0-9a-f]{2}){5}$/);
  });
});

describe('TAP source', () => {
  it('creates TAPs with CAP_NET_ADMIN and takes them from the pool without', () => {
    expect(hasNetAdmin('Name:\tx\nCapEff:\t000001ffffffffff\n')).toBe(true);
    expect(hasNetAdmin('Name:\tx\nCapEff:\t0000000000000000\n')).toBe(false);
    expect(hasNetAdmin('CapEff:\t0000000000001000\n')).toBe(true);
    expect(chooseTapSource('auto', true)).toBe('create');
    expect(chooseTapSource('auto', false)).toBe('pool');
    expect(chooseTapSource('pool', true)).toBe('pool');
  });
});
