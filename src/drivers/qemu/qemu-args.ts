/**
 * The QEMU command line of one microVM (`-M microvm`: virtio-mmio devices only, no PCI, no
 * firmware scan). Pure: paths and spec in, argv out; spawned without a shell.
 */
import { AetherError } from '../../core/errors.js';
import { kernelIpArg, type NetworkAttachment } from '../../core/network-attachment.js';
import type { Accel, GuestImage } from './settings.js';

/** The virtio-serial port the guest agent opens (`/sys/class/virtio-ports/*\/name`). */
export const AGENT_PORT_NAME = 'aether.agent';

export interface VmFiles {
  disk: string;
  agentSocket: string;
  qmpSocket: string;
  console: string;
  pidFile: string;
}

export interface QemuLaunch {
  vmId: string;
  vcpus: number;
  memoryMiB: number;
  network: boolean;
  /** With `network`: the host bridge TAP to use instead of QEMU's user-mode network. */
  networkAttachment?: NetworkAttachment | undefined;
  accel: Accel;
  image: GuestImage;
  files: VmFiles;
  /**
   * Restore instead of boot: QEMU's `-incoming` migration URI to load the saved state from. The
   * machine then waits paused (`-S`) until the caller resumes it with QMP `cont`.
   */
  incoming?: string | undefined;
}

/** QEMU splits option values at commas: a path with one would be read as further options. */
function optionSafe(path: string): string {
  if (path.includes(',')) throw new AetherError('ERR_CONFIG', `qemu driver: path ${path} contains a comma`);
  return path;
}

/** The attachment's values go into QEMU options and the kernel command line: no commas, no spaces. */
function checkedAttachment(attachment: NetworkAttachment): NetworkAttachment {
  const ok =
    /^[A-Za-z][A-Za-z0-9_-]{0,14}$/.test(attachment.tapName) &&
    /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(attachment.guestMac) &&
    /^\d{1,3}(\.\d{1,3}){3}$/.test(attachment.guestIp) &&
    /^\d{1,3}(\.\d{1,3}){3}$/.test(attachment.gatewayIp);
  if (!ok) {
    throw new AetherError(
      'ERR_VALIDATION',
      `qemu driver: malformed network attachment ${JSON.stringify(attachment)}`,
    );
  }
  return attachment;
}

export function kernelCommandLine(
  launch: Pick<QemuLaunch, 'accel' | 'network' | 'networkAttachment'>,
): string {
  const args = ['console=ttyS0', 'quiet', 'loglevel=3', 'panic=-1', 'reboot=t', 'rw'];
  // Without KVM there is no reference clock to calibrate the TSC against, and the kernel would
  // hang at boot: give it a frequency and trust it.
  if (launch.accel === 'tcg') args.push('tsc_early_khz=2000000', 'tsc=reliable');
  if (launch.network && launch.networkAttachment) {
    // The guest's address on the host bridge, in the kernel's own `ip=` syntax (no DHCP there).
    args.push('aether.net=tap', kernelIpArg(checkedAttachment(launch.networkAttachment)));
  } else {
    args.push(`aether.net=${launch.network ? 'user' : 'none'}`);
  }
  return args.join(' ');
}

export function qemuArgs(launch: QemuLaunch): string[] {
  const f = launch.files;
  const args = [
    '-name',
    `aether-${launch.vmId}`,
    '-M',
    `microvm,accel=${launch.accel},x-option-roms=off`,
    '-cpu',
    launch.accel === 'kvm' ? 'host' : 'max',
    '-m',
    String(launch.memoryMiB),
    '-smp',
    String(launch.vcpus),
    '-nodefaults',
    '-no-user-config',
    '-nographic',
    '-no-reboot',
    '-kernel',
    optionSafe(launch.image.kernel),
    '-initrd',
    optionSafe(launch.image.initrd),
    '-append',
    kernelCommandLine(launch),
    '-drive',
    `id=root,file=${optionSafe(f.disk)},format=qcow2,if=none,discard=unmap`,
    '-device',
    'virtio-blk-device,drive=root',
    '-object',
    'rng-random,id=rng0,filename=/dev/urandom',
    '-device',
    'virtio-rng-device,rng=rng0',
    '-device',
    'virtio-serial-device',
    '-chardev',
    `socket,id=agent,path=${optionSafe(f.agentSocket)},server=on,wait=off`,
    '-device',
    `virtserialport,chardev=agent,name=${AGENT_PORT_NAME}`,
    '-qmp',
    `unix:${optionSafe(f.qmpSocket)},server=on,wait=off`,
    '-serial',
    `file:${optionSafe(f.console)}`,
    '-pidfile',
    optionSafe(f.pidFile),
  ];
  if (launch.incoming !== undefined) args.push('-S', '-incoming', launch.incoming);
  if (launch.network && launch.networkAttachment) {
    // The host bridge: QEMU opens the TAP the worker made (or took from the pool) and runs no
    // scripts; NAT and egress rules are the host's (aether network setup).
    const { tapName, guestMac } = checkedAttachment(launch.networkAttachment);
    args.push(
      '-netdev',
      `tap,id=n0,ifname=${tapName},script=no,downscript=no`,
      '-device',
      `virtio-net-device,netdev=n0,mac=${guestMac}`,
    );
  } else if (launch.network) {
    // User-mode networking: outbound only, through QEMU itself; the guest cannot be reached.
    args.push('-netdev', 'user,id=net0', '-device', 'virtio-net-device,netdev=net0');
  }
  return args;
}
