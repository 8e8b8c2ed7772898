/**
 * The guest kernel command line of a Firecracker VM. Firecracker itself appends `root=/dev/vda rw`
 * for the root drive and `pci=off` (no `--enable-pci`), so neither is written here.
 *
 * What the guest's init reads from it (the contract with the guest image):
 * - `aether.agent=vsock:<port>`: serve the agent on this vsock port (the host dials it through
 *   Firecracker's hybrid vsock);
 * - `aether.net=none|tap`: `tap` when the VM has a NIC, whose address the kernel already set from
 *   `ip=` (CONFIG_IP_PNP), so the init leaves eth0 alone.
 */
import { isIPv4 } from 'node:net';
import { AetherError } from '../../core/errors.js';
import { kernelIpArg, type NetworkAttachment } from '../../core/network-attachment.js';

export type { NetworkAttachment };

/** The guest's init on the Aetherium image (`aether image build --vm`). */
export const GUEST_INIT = '/sbin/aether-init';

const TAP_NAME = /^[A-Za-z0-9_.-]{1,15}$/;
const MAC = /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/;

/** Throws ERR_VALIDATION unless every field is well-formed: these end up in argv and the cmdline. */
export function assertNetworkAttachment(network: NetworkAttachment): void {
  const problems: string[] = [];
  if (!TAP_NAME.test(network.tapName)) problems.push(`tapName ${JSON.stringify(network.tapName)}`);
  if (!MAC.test(network.guestMac)) problems.push(`guestMac ${JSON.stringify(network.guestMac)}`);
  if (!isIPv4(network.guestIp)) problems.push(`guestIp ${JSON.stringify(network.guestIp)}`);
  if (!isIPv4(network.gatewayIp)) problems.push(`gatewayIp ${JSON.stringify(network.gatewayIp)}`);
  if (!Number.isInteger(network.prefixLength) || network.prefixLength < 1 || network.prefixLength > 30)
    problems.push(`prefixLength ${network.prefixLength}`);
  if (problems.length > 0) {
    throw new AetherError('ERR_VALIDATION', `invalid network attachment: ${problems.join(', ')}`);
  }
}

export function firecrackerBootArgs(options: {
  agentPort: number;
  network: NetworkAttachment | null;
}): string {
  const args = [
    // The serial console carries the init's first line (boot timing) and boot errors; the host
    // rate-limits it (PUT /serial).
    'console=ttyS0',
    // Shut down instead of rebooting, so Firecracker exits; reboot (= exit) 1 s after a panic.
    'reboot=k',
    'panic=1',
    'quiet',
    'loglevel=3',
    // Firecracker's defaults for its i8042 emulation: the keyboard stays, for SendCtrlAltDel.
    'i8042.noaux',
    'i8042.nomux',
    'i8042.dumbkbd',
    'swiotlb=noforce',
    `init=${GUEST_INIT}`,
    `aether.agent=vsock:${options.agentPort}`,
  ];
  if (options.network) {
    assertNetworkAttachment(options.network);
    args.push('aether.net=tap', kernelIpArg(options.network));
  } else {
    args.push('aether.net=none');
  }
  return args.join(' ');
}
