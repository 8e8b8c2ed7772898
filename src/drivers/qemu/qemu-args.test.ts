import { describe, expect, it } from 'vitest';
import { isAetherError } from '../../core/errors.js';
import { kernelCommandLine, type QemuLaunch, qemuArgs } from './qemu-args.js';

const launch: QemuLaunch = {
  vmId: 'v1',
  vcpus: 1,
  memoryMiB: 256,
  network: true,
  accel: 'tcg',
  image: { id: 'img', kernel: '/i/vmlinux', initrd: '/i/initrd', rootfs: '/i/root.ext4' },
  files: { disk: '/d/disk', agentSocket: '/d/a', qmpSocket: '/d/q', console: '/d/c', pidFile: '/d/p' },
};
const attachment = {
  tapName: 'aeth0123456789a',
  guestMac: '02:11:22:33:44:55',
  guestIp: '172.16.0.7',
  gatewayIp: '172.16.0.1',
  prefixLength: 24,
};

describe('qemu network arguments', () => {
  it('uses user-mode networking unless given a TAP attachment', () => {
    const args = qemuArgs(launch);
    expect(args).toContain('user,id=net0');
    expect(kernelCommandLine(launch)).toContain('aether.net=user');
  });

  it('opens the attached TAP with the leased MAC and puts the address on the kernel command line', () => {
    const withTap = { ...launch, networkAttachment: attachment };
    const args = qemuArgs(withTap);
    expect(args).toContain('tap,id=n0,ifname=aeth0123456789a,script=no,downscript=no');
    expect(args).toContain('virtio-net-device,netdev=n0,mac=02:11:22:33:44:55');
    expect(args).not.toContain('user,id=net0');
    const cmdline = kernelCommandLine(withTap);
    expect(cmdline).toContain('aether.net=tap ip=172.16.0.7::172.16.0.1:255.255.255.0::eth0:off');
    expect(qemuArgs({ ...withTap, network: false }).join(' ')).not.toContain('netdev');
  });

  it('refuses an attachment whose values would add QEMU options', () => {
    let error: unknown;
    try {
      qemuArgs({ ...launch, networkAttachment: { ...attachment, tapName: 'tap0,script=/x' } });
    } catch (e) {
      error = e;
    }
    expect(isAetherError(error, 'ERR_VALIDATION')).toBe(true);
  });
});

describe('qemu restore arguments', () => {
  it('keeps the machine arguments of a boot and only adds a paused incoming migration', () => {
    const boot = qemuArgs(launch);
    const restore = qemuArgs({ ...launch, incoming: "exec:cat '/s/state.bin'" });
    const at = restore.indexOf('-S');
    expect(restore.slice(at, at + 3)).toEqual(['-S', '-incoming', "exec:cat '/s/state.bin'"]);
    // Device order decides whether QEMU accepts the saved state: it must be the boot's.
    expect([...restore.slice(0, at), ...restore.slice(at + 3)]).toEqual(boot);
  });
});
