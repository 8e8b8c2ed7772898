/**
 * Host preflight against real files and processes: stand-in `firecracker` and `jailer` programs
 * that print a version, a character device in place of /dev/kvm, kernels that are or are not ELF,
 * and status/mount tables written by the test.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AetherError } from '../../core/errors.js';
import { type PreflightOptions, type PreflightReport, runFirecrackerPreflight } from './preflight.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot)
  console.warn('[skip] preflight of a jail directory: the jailer needs a root-owned base, made here as root');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aether-preflight-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function program(name: string, output: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho '${output}'\n`);
  chmodSync(path, 0o755);
  return path;
}

function hostFiles(capEff: string, cgroupControllers: string | null) {
  const status = join(dir, 'status');
  writeFileSync(status, `Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t${capEff}\n`);
  const cgroup = join(dir, 'cgroup');
  mkdirSync(cgroup);
  const mounts = join(dir, 'mounts');
  writeFileSync(
    mounts,
    cgroupControllers === null
      ? 'proc /proc proc rw 0 0\ntmpfs /sys/fs/cgroup tmpfs rw 0 0\n'
      : `proc /proc proc rw 0 0\ncgroup2 ${cgroup} cgroup2 rw 0 0\n`,
  );
  if (cgroupControllers !== null) writeFileSync(join(cgroup, 'cgroup.controllers'), `${cgroupControllers}\n`);
  return { procStatus: status, mounts };
}

function kernel(elf: boolean): string {
  const path = join(dir, elf ? 'vmlinux' : 'bzImage');
  writeFileSync(
    path,
    Buffer.concat([Buffer.from(elf ? '\x7fELF' : 'MZ\x00\x00', 'latin1'), Buffer.alloc(1024)]),
  );
  return path;
}

function image(): PreflightOptions['image'] {
  const rootfs = join(dir, 'rootfs.ext4');
  writeFileSync(rootfs, Buffer.alloc(4096));
  return async () => ({ id: '0123456789ab', rootfs });
}

const byItem = (report: PreflightReport) => Object.fromEntries(report.checks.map((c) => [c.item, c]));

describe('Firecracker preflight', () => {
  it('passes a ready host, item by item, and says what it found', async () => {
    const report = await runFirecrackerPreflight({
      firecrackerBinary: program('firecracker', 'Firecracker v1.16.1'),
      jailer: null,
      kernel: kernel(true),
      image: image(),
      stateDir: join(dir, 'state'),
      host: { kvmDevice: '/dev/null', ...hostFiles('000001fffeffffff', 'cpu memory io'), uid: 1000 },
    });
    const items = byItem(report);
    expect(report.ok).toBe(true);
    expect(items.firecracker).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/firecracker, v1\.16\.1$/),
    });
    expect(items.kvm?.detail).toMatch(/opens read-write \(its API version is an ioctl Node cannot issue/);
    expect(items.kernel?.detail).toMatch(/ELF/);
    expect(items.image?.detail).toMatch(/image 0123456789ab/);
    expect(items.vsock?.detail).toMatch(/no vhost needed/);
    expect(items['net-admin']).toMatchObject({ ok: true, required: false });
    // Jailer off: reported (not for production) without stopping a worker.
    expect(items.jailer).toMatchObject({ ok: false, required: false });
    expect(items.jailer?.fix).toMatch(/firecracker\.jailer: true/);
    expect(items.root).toBeUndefined();
  });

  it('fails what is missing or wrong, each with its fix', async () => {
    const report = await runFirecrackerPreflight({
      firecrackerBinary: program('firecracker', 'Firecracker v1.10.0'),
      jailer: { binary: join(dir, 'no-jailer'), chrootBaseDir: join(dir, 'jails') },
      kernel: kernel(false),
      image: async () => {
        throw new AetherError('ERR_IMAGE_NOT_FOUND', 'no microVM image in /x/images/vm: build one with ...');
      },
      stateDir: join(dir, 'state'),
      host: { kvmDevice: join(dir, 'kvm'), ...hostFiles('0000000000000000', null), uid: 1000 },
    });
    const items = byItem(report);
    expect(report.ok).toBe(false);
    expect(items.firecracker).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/is v1\.10\.0; the driver speaks the API of v1\.16\.0/),
    });
    expect(items.jailer).toMatchObject({
      ok: false,
      required: true,
      detail: expect.stringMatching(/no-jailer not found/),
    });
    expect(items.root).toMatchObject({ ok: false, detail: 'uid 1000: the jailer must be started as root' });
    expect(items.kvm).toMatchObject({ ok: false, fix: expect.stringMatching(/modprobe kvm_intel/) });
    expect(items.kernel).toMatchObject({ ok: false, fix: expect.stringMatching(/aether image kernel/) });
    expect(items.image).toMatchObject({
      ok: false,
      detail: 'no microVM image in /x/images/vm',
      fix: expect.stringMatching(/aether image build --vm/),
    });
    expect(items['net-admin']).toMatchObject({
      ok: false,
      required: false,
      fix: expect.stringMatching(/--tap-pool/),
    });
    expect(items['cgroup-v2']).toMatchObject({
      ok: false,
      required: true,
      detail: expect.stringMatching(/not mounted/),
    });
    // /tmp is writable by every user: no place for jails.
    expect(items['jail-dir']).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/writable by every user/),
    });
    for (const check of report.checks.filter((c) => !c.ok)) expect(check.fix, check.item).toBeTruthy();
  });

  it('names a firecracker binary that is not there, a kvm node that is a plain file, and missing controllers', async () => {
    writeFileSync(join(dir, 'kvm'), '');
    const report = await runFirecrackerPreflight({
      firecrackerBinary: join(dir, 'nowhere', 'firecracker'),
      jailer: null,
      kernel: '',
      image: image(),
      stateDir: join(dir, 'state'),
      host: { kvmDevice: join(dir, 'kvm'), ...hostFiles('0000000000001000', 'cpu io') },
    });
    const items = byItem(report);
    expect(items.firecracker?.detail).toMatch(/nowhere\/firecracker not found/);
    expect(items.firecracker?.fix).toMatch(/AETHER_FIRECRACKER_BIN/);
    expect(items.kvm?.detail).toMatch(/not a character device/);
    expect(items.kernel?.detail).toBe('no guest kernel configured');
    expect(items['net-admin']?.ok).toBe(true); // bit 12 alone
    expect(items['cgroup-v2']).toMatchObject({
      ok: false,
      required: false,
      detail: expect.stringMatching(/lacks the memory controller/),
    });
  });

  it.skipIf(!isRoot)(
    'accepts a jail directory owned by root, closed to others, beside the state dir',
    async () => {
      const base = mkdtempSync('/var/lib/aether-preflight-');
      try {
        const report = await runFirecrackerPreflight({
          firecrackerBinary: program('firecracker', 'Firecracker v1.16.1'),
          jailer: { binary: program('jailer', 'Jailer v1.16.1'), chrootBaseDir: join(base, 'jailer') },
          kernel: kernel(true),
          image: image(),
          stateDir: join(base, 'state'),
          host: { kvmDevice: '/dev/null', ...hostFiles('000001fffeffffff', 'cpu memory'), uid: 0 },
        });
        const items = byItem(report);
        expect(items.jailer).toMatchObject({
          ok: true,
          required: true,
          detail: expect.stringMatching(/v1\.16\.1$/),
        });
        expect(items['jail-dir']).toMatchObject({ ok: true });
        expect(items.root?.ok).toBe(true);
        expect(report.ok, JSON.stringify(report.checks.filter((c) => !c.ok))).toBe(true);

        const mismatched = await runFirecrackerPreflight({
          firecrackerBinary: program('firecracker', 'Firecracker v1.16.1'),
          jailer: { binary: program('jailer', 'Jailer v1.15.0'), chrootBaseDir: join(base, 'jailer') },
          kernel: kernel(true),
          image: image(),
          stateDir: join(base, 'state'),
          host: { kvmDevice: '/dev/null', uid: 0 },
        });
        expect(byItem(mismatched).jailer?.detail).toMatch(/is v1\.15\.0 but firecracker is v1\.16\.1/);
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  );
});
