/**
 * Jailer mode's pure parts (layout, command line, uid allocation) and, for real on a temporary
 * directory, building a jail's contents and removing it again.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allocateJailUid, assertJailId, jailerArgs, jailLayout, prepareJail, removeJail } from './jailer.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('[skip] jail preparation tests: chown to the jail uid needs root');

const VM = '6f1c2d9e-3b4a-4c5d-8e9f-0a1b2c3d4e5f';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aether-jail-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('jail layout and command line', () => {
  it('puts the chroot at <base>/<exec file name>/<id>/root and resolves the VMM paths inside it', () => {
    const layout = jailLayout({
      chrootBaseDir: '/srv/jailer',
      firecrackerBinary: '/usr/local/bin/firecracker-v1.16.1-x86_64',
      vmId: VM,
    });
    expect(layout.jailDir).toBe(`/srv/jailer/firecracker-v1.16.1-x86_64/${VM}`);
    expect(layout.root).toBe(`/srv/jailer/firecracker-v1.16.1-x86_64/${VM}/root`);
    expect(layout.cgroupDir).toBe(`/sys/fs/cgroup/firecracker-v1.16.1-x86_64/${VM}`);
    expect(layout.inside).toEqual({
      apiSocket: '/run/firecracker.socket',
      kernel: '/vmlinux',
      rootfs: '/rootfs.ext4',
      vsock: '/run/v.sock',
      console: '/run/console.log',
      log: '/run/firecracker.log',
      metrics: '/run/metrics.json',
    });
    expect(layout.host.apiSocket).toBe(`${layout.root}/run/firecracker.socket`);
    expect(layout.host.kernel).toBe(`${layout.root}/vmlinux`);
  });

  it('builds the jailer argv: id, exec file, uid/gid, chroot base, cgroup v2 limits, then the VMM flags', () => {
    const layout = jailLayout({
      chrootBaseDir: '/srv/jailer',
      firecrackerBinary: '/usr/bin/firecracker',
      vmId: VM,
    });
    const args = jailerArgs({
      layout,
      firecrackerBinary: '/usr/bin/firecracker',
      chrootBaseDir: '/srv/jailer',
      uid: 900_007,
      gid: 900_007,
      vcpus: 2,
      memoryMiB: 512,
    });
    expect(args).toEqual([
      '--id',
      VM,
      '--exec-file',
      '/usr/bin/firecracker',
      '--uid',
      '900007',
      '--gid',
      '900007',
      '--chroot-base-dir',
      '/srv/jailer',
      '--cgroup-version',
      '2',
      '--cgroup',
      'cpu.max=250000 100000',
      '--cgroup',
      `memory.max=${(512 + 64) * 1024 * 1024}`,
      '--',
      '--api-sock',
      '/run/firecracker.socket',
    ]);
    expect(() =>
      jailerArgs({
        layout,
        firecrackerBinary: '/f',
        chrootBaseDir: '/b',
        uid: 0,
        gid: 5,
        vcpus: 1,
        memoryMiB: 1,
      }),
    ).toThrow(/non-root id/);
  });

  it('takes only ids the jailer accepts: letters, digits, dashes, at most 64', () => {
    expect(() => assertJailId(VM)).not.toThrow();
    for (const bad of ['has_underscore', 'a/b', '', 'x'.repeat(65), '../etc']) {
      expect(() => assertJailId(bad), bad).toThrow(/letters, digits and dashes/);
    }
  });

  it('gives each VM the lowest free uid above the group id, and says when the range is full', () => {
    expect(allocateJailUid({ uidBase: 900_000 }, [])).toBe(900_001); // the base is the group
    expect(allocateJailUid({ uidBase: 900_000 }, [900_001, 900_002, 900_004])).toBe(900_003);
    expect(() => allocateJailUid({ uidBase: 900_000, uidCount: 3 }, [900_001, 900_002])).toThrow(
      /every jailer uid from 900001 to 900002 is in use/,
    );
  });
});

describe.skipIf(!isRoot)('jail contents, for real', () => {
  it('links the kernel and the VM disk in, gives the disk and the runtime files to the uid, and removes it all', async () => {
    const kernel = join(dir, 'vmlinux');
    writeFileSync(kernel, 'ELF kernel', { mode: 0o644 });
    const disk = join(dir, 'state', 'rootfs.ext4');
    mkdirSync(join(dir, 'state'));
    writeFileSync(disk, 'disk before');
    const cgroupRoot = join(dir, 'cgroup');
    const layout = jailLayout({
      chrootBaseDir: join(dir, 'jails'),
      firecrackerBinary: '/usr/bin/firecracker',
      vmId: VM,
      cgroupRoot,
    });
    await prepareJail(layout, { kernel, rootfs: disk, uid: 900_123, gid: 900_124 });

    // The kernel is shared read-only: linked, its owner untouched.
    expect(statSync(layout.host.kernel).ino).toBe(statSync(kernel).ino);
    expect(statSync(kernel).uid).toBe(0);
    // The disk is the VM's own file: the jail's link writes through to it.
    const jailedDisk = statSync(layout.host.rootfs);
    expect(jailedDisk.ino).toBe(statSync(disk).ino);
    expect([jailedDisk.uid, jailedDisk.gid, jailedDisk.mode & 0o777]).toEqual([900_123, 900_124, 0o600]);
    writeFileSync(layout.host.rootfs, 'disk after');
    expect(readFileSync(disk, 'utf8')).toBe('disk after');
    for (const file of [
      layout.host.console,
      layout.host.log,
      layout.host.metrics,
      join(layout.root, 'run'),
    ]) {
      expect(statSync(file).uid, file).toBe(900_123);
    }
    expect(statSync(join(layout.root, 'run')).mode & 0o777).toBe(0o700);

    // What the jailer and the VMM would leave: devices, the binary copy, sockets, a cgroup.
    mkdirSync(join(layout.root, 'dev', 'net'), { recursive: true });
    writeFileSync(join(layout.root, 'firecracker'), '');
    mkdirSync(layout.cgroupDir, { recursive: true });
    expect(await removeJail(layout)).toEqual({ cgroupLeft: false });
    expect(existsSync(layout.jailDir)).toBe(false);
    expect(existsSync(layout.cgroupDir)).toBe(false);
    expect(readFileSync(disk, 'utf8')).toBe('disk after'); // the VM's files survive its jail
    expect(await removeJail(layout)).toEqual({ cgroupLeft: false }); // idempotent
  });

  it('copies a kernel others cannot read, and gives the copy to the uid alone', async () => {
    const kernel = join(dir, 'vmlinux');
    writeFileSync(kernel, 'private kernel', { mode: 0o600 });
    writeFileSync(join(dir, 'disk'), '');
    const layout = jailLayout({
      chrootBaseDir: join(dir, 'jails'),
      firecrackerBinary: '/usr/bin/firecracker',
      vmId: VM,
    });
    await prepareJail(layout, { kernel, rootfs: join(dir, 'disk'), uid: 900_200, gid: 900_200 });
    const copy = statSync(layout.host.kernel);
    expect(copy.ino).not.toBe(statSync(kernel).ino);
    expect([copy.uid, copy.mode & 0o777]).toEqual([900_200, 0o400]);
    expect(statSync(kernel).uid).toBe(0);
  });
});
