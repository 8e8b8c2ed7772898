import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findTool } from './host-tools.js';
import { VM_GUEST_MODULES } from './kernel-modules.js';
import {
  GUEST_AGENT_COMMAND,
  GUEST_AGENT_SOCKET,
  GUEST_INIT_SCRIPT,
  GUEST_VSOCK_AGENT_COMMAND,
  initramfsInitScript,
  VM_INIT_MARKER,
} from './vm-init-scripts.js';

const initramfs = initramfsInitScript(['virtio_ring', 'virtio', 'virtio_blk', 'ext4']);
const sh = findTool('sh', { path: process.env.PATH });
const busybox = findTool('busybox', { path: process.env.PATH });

function syntaxError(shell: string, args: string[], script: string): string | null {
  const out = spawnSync(shell, [...args, '-n'], { input: script, encoding: 'utf8' });
  return out.status === 0 ? null : out.stderr;
}

describe('guest init (/sbin/aether-init)', () => {
  it('prints exactly one marker line, on the serial console, before the agent starts', () => {
    const lines = GUEST_INIT_SCRIPT.split('\n');
    const markers = lines.filter((line) => !line.startsWith('#') && line.includes(`"${VM_INIT_MARKER}`));
    expect(markers).toEqual([
      'echo "aether-init: up at $uptime s, network $net, starting the agent" > /dev/ttyS0',
    ]);
    expect(lines.findIndex((l) => l.includes(VM_INIT_MARKER) && l.startsWith('echo'))).toBeLessThan(
      lines.findIndex((l) => l.startsWith('exec ')),
    );
    // Nothing else it prints starts with the marker (the driver times the boot by the first one).
    expect(GUEST_INIT_SCRIPT.match(/echo ['"]aether-init:/g)).toHaveLength(1);
  });

  it('hands PID 1 to tini running the agent on the aether.agent serial port', () => {
    expect(GUEST_AGENT_COMMAND).toEqual([
      '/usr/bin/tini',
      '-s',
      '-g',
      '--',
      '/usr/bin/node',
      '/opt/aether/agent.mjs',
      '--serial-name',
      'aether.agent',
      '--home',
      '/home/user',
    ]);
    expect(GUEST_INIT_SCRIPT.trimEnd().split('\n').at(-1)).toBe(`exec ${GUEST_AGENT_COMMAND.join(' ')}`);
  });

  it('with aether.agent=vsock:<port>, runs the agent on a Unix socket behind a socat relay of that port', () => {
    expect(GUEST_AGENT_SOCKET).toBe('/run/aether/agent.sock');
    expect(GUEST_VSOCK_AGENT_COMMAND).toEqual([
      '/usr/bin/tini',
      '-s',
      '-g',
      '--',
      '/usr/bin/node',
      '/opt/aether/agent.mjs',
      '--listen',
      '/run/aether/agent.sock',
      '--home',
      '/home/user',
    ]);
    const lines = GUEST_INIT_SCRIPT.split('\n');
    const vsockExec = lines.indexOf(`\texec ${GUEST_VSOCK_AGENT_COMMAND.join(' ')}`);
    expect(vsockExec).toBeGreaterThan(lines.indexOf('if [ "$agent" != serial ]; then'));
    expect(lines[vsockExec + 1]).toBe('fi');
    // The agent's directory is root's alone; the relay waits for its socket, and comes back if it dies.
    expect(GUEST_INIT_SCRIPT).toContain('\tmkdir -p -m 0700 /run/aether\n');
    expect(GUEST_INIT_SCRIPT).toContain(
      '\t\twhile [ ! -S /run/aether/agent.sock ]; do sleep 0.05; done\n\t\twhile :; do\n\t\t\tsocat VSOCK-LISTEN:$port,fork,reuseaddr UNIX-CONNECT:/run/aether/agent.sock\n',
    );
    expect(GUEST_INIT_SCRIPT).toContain(
      'restarting it in 1 s" > /dev/console\n\t\t\tsleep 1\n\t\tdone\n\t) < /dev/null > /dev/null 2> /dev/console &',
    );
    // The port is checked in the guest too: decimal, no leading zero, at most 2^32-1; and socat must be there.
    expect(GUEST_INIT_SCRIPT).toContain(`case "$port" in '' | 0* | *[!0-9]*) port= ;; esac`);
    expect(GUEST_INIT_SCRIPT).toContain('[ "$port" -gt 4294967295 ]');
    expect(GUEST_INIT_SCRIPT).toContain('if ! command -v socat > /dev/null; then');
    // Without aether.agent (QEMU), the serial port as before.
    expect(GUEST_INIT_SCRIPT).toContain('agent=serial\n');
  });

  it('mounts the kernel file systems and sets up QEMU user networking only when asked', () => {
    for (const fs of [
      'proc /proc',
      'sysfs /sys',
      'devtmpfs /dev',
      'devpts /dev/pts',
      'tmpfs /tmp',
      'tmpfs /run',
    ])
      expect(GUEST_INIT_SCRIPT).toContain(` ${fs}`);
    expect(GUEST_INIT_SCRIPT).toContain('*" aether.net=user "*)');
    expect(GUEST_INIT_SCRIPT).toContain('ip addr add 10.0.2.15/24 dev eth0');
    expect(GUEST_INIT_SCRIPT).toContain('ip route add default via 10.0.2.2');
    expect(GUEST_INIT_SCRIPT).toContain("echo 'nameserver 10.0.2.3' > /etc/resolv.conf");
    expect(GUEST_INIT_SCRIPT).toContain('echo aether > /proc/sys/kernel/hostname');
    expect(GUEST_INIT_SCRIPT).toContain('ip link set lo up');
  });

  it.skipIf(!sh)('is valid POSIX sh (skipped when there is no sh)', () => {
    expect(syntaxError(sh!, [], GUEST_INIT_SCRIPT)).toBeNull();
  });
});

describe('initramfs /init', () => {
  it('loads the modules in the given order, then mounts /dev/vda and switches to aether-init', () => {
    expect(initramfs).toContain('for module in virtio_ring virtio virtio_blk ext4; do');
    expect(initramfs).toContain('insmod "/lib/modules/$module.ko"');
    expect(initramfs).toContain('mount -t ext4 -o rw /dev/vda /newroot');
    expect(initramfs.trimEnd().split('\n').at(-1)).toBe('exec switch_root /newroot /sbin/aether-init');
  });

  it('says what failed on the console and panics, or opens a shell with aether.debug', () => {
    expect(initramfs).toContain('echo "aether-initramfs: $*" > /dev/console');
    expect(initramfs).toContain("fail 'root device /dev/vda not found after 30 s");
    expect(initramfs).toContain('*" aether.debug "*)');
    expect(initramfs).toMatch(/exec sh < \/dev\/console/);
    expect(initramfs).toMatch(/\texit 1\n}/);
  });

  it('refuses a module name that is not one', () => {
    expect(() => initramfsInitScript(['ext4; reboot'])).toThrow('not a kernel module name');
    expect(() => initramfsInitScript(VM_GUEST_MODULES)).not.toThrow();
  });

  it.skipIf(!sh)('is valid sh (skipped when there is no sh)', () => {
    expect(syntaxError(sh!, [], initramfs)).toBeNull();
  });

  it.skipIf(!busybox)('is valid busybox sh (skipped when busybox is not on PATH)', () => {
    expect(syntaxError(busybox!, ['sh'], initramfs)).toBeNull();
  });
});
