/**
 * What a microVM driver gets to put a VM on the host's bridge: a TAP device the worker made (or
 * took from the pool) and the address the store leased to the VM. Plain data: drivers never
 * touch the host network themselves.
 */
export interface NetworkAttachment {
  /** Host TAP device (≤ 15 bytes, IFNAMSIZ), already on the bridge and up. */
  tapName: string;
  /** Locally administered unicast MAC the guest's NIC must use (`02:xx:xx:xx:xx:xx`). */
  guestMac: string;
  /** The guest's IPv4 address, leased to this VM in the store. */
  guestIp: string;
  /** The bridge's address: the guest's default route. */
  gatewayIp: string;
  /** Prefix length of the bridge's subnet (24 for 172.16.0.0/24). */
  prefixLength: number;
  /** Up to two IPv4 DNS servers the guest resolves through (the egress rules let it reach them). */
  dnsServers?: readonly string[];
}

/** `24` → `255.255.255.0`. */
export function prefixToNetmask(prefixLength: number): string {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new RangeError(`prefix length must be 0..32, got ${prefixLength}`);
  }
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join('.');
}

/**
 * The kernel's static IP configuration for the guest's first NIC, as Firecracker's and QEMU's
 * guests read it from the command line (Linux `ip=` with the fields
 * client:server:gateway:netmask:hostname:device:autoconf:dns0:dns1): no DHCP on the bridge, ever.
 */
export function kernelIpArg(attachment: NetworkAttachment): string {
  const mask = prefixToNetmask(attachment.prefixLength);
  const dns = (attachment.dnsServers ?? []).slice(0, 2);
  return `ip=${attachment.guestIp}::${attachment.gatewayIp}:${mask}::eth0:off${dns.length > 0 ? `:${dns.join(':')}` : ''}`;
}
