import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAetherError } from '../core/errors.js';
import {
  aptListsFingerprint,
  aptSandboxUid,
  findDownloadedDeb,
  parseAptGet,
  parseAptPolicy,
  parseKernelDependency,
  queryBootPackages,
  readBootPackagesMemo,
  writeBootPackagesMemo,
} from './apt-packages.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aether-apt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Output of apt-cache on a Debian bookworm host.
const DEPENDS = `linux-image-amd64
  Depends: linux-image-6.1.0-57-amd64
`;
const POLICY = `linux-image-6.1.0-57-amd64:
  Installed: (none)
  Candidate: 6.1.192-3
  Version table:
     6.1.192-3 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
busybox-static:
  Installed: 1:1.35.0-4+deb12u1+b1
  Candidate: 1:1.35.0-4+deb12u1+b1
  Version table:
 *** 1:1.35.0-4+deb12u1+b1 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
        100 /var/lib/dpkg/status
`;

describe('apt output', () => {
  it('names the versioned kernel package of linux-image-amd64', () => {
    expect(parseKernelDependency(DEPENDS)).toBe('linux-image-6.1.0-57-amd64');
    expect(parseKernelDependency('linux-image-amd64\n')).toBeNull();
  });

  it('reads candidate versions, epochs included, and (none) as none', () => {
    expect(parseAptPolicy(POLICY)).toEqual(
      new Map([
        ['linux-image-6.1.0-57-amd64', '6.1.192-3'],
        ['busybox-static', '1:1.35.0-4+deb12u1+b1'],
      ]),
    );
    expect(parseAptPolicy('x:\n  Installed: (none)\n  Candidate: (none)\n').get('x')).toBeNull();
  });

  it('reads what apt-get download fetched', () => {
    expect(
      parseAptGet(
        'Get:2 http://deb.debian.org/debian-security bookworm-security/main amd64 linux-image-6.1.0-57-amd64 amd64 6.1.192-3 [70.6 MB]',
      ),
    ).toEqual({ package: 'linux-image-6.1.0-57-amd64', version: '6.1.192-3' });
    expect(parseAptGet('Fetched 71.5 MB in 1s (129 MB/s)')).toBeNull();
  });

  it('finds the _apt user', () => {
    expect(
      aptSandboxUid('root:x:0:0::/root:/bin/bash\n_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n'),
    ).toBe(42);
    expect(aptSandboxUid('root:x:0:0::/root:/bin/bash\n')).toBeNull();
  });

  it('finds a downloaded .deb whose name escapes the epoch', async () => {
    const downloads = path.join(dir, 'downloads');
    mkdirSync(downloads);
    writeFileSync(path.join(downloads, 'busybox-static_1%3a1.35.0-4_amd64.deb'), '');
    expect(await findDownloadedDeb(downloads, 'busybox-static')).toBe(
      path.join(downloads, 'busybox-static_1%3a1.35.0-4_amd64.deb'),
    );
    await expect(findDownloadedDeb(downloads, 'busybox')).rejects.toThrow('left no busybox_*.deb');
  });
});

describe('asking apt for the boot packages', () => {
  it('asks for the kernel of linux-image-amd64, then both versions', async () => {
    const asked: string[][] = [];
    const packages = await queryBootPackages(async (args) => {
      asked.push(args);
      return args[0] === 'depends' ? DEPENDS : POLICY;
    }, '/var/lib/apt/lists');
    expect(asked).toEqual([
      ['depends', 'linux-image-amd64'],
      ['policy', 'linux-image-6.1.0-57-amd64', 'busybox-static'],
    ]);
    expect(packages).toEqual({
      kernel: { package: 'linux-image-6.1.0-57-amd64', version: '6.1.192-3' },
      busybox: { package: 'busybox-static', version: '1:1.35.0-4+deb12u1+b1' },
    });
  });

  it('says to run apt-get update when apt has no version to give', async () => {
    const error = await queryBootPackages(
      async (args) => (args[0] === 'depends' ? DEPENDS : 'busybox-static:\n  Candidate: (none)\n'),
      '/lists',
    ).catch((e) => e);
    expect(isAetherError(error, 'ERR_IMAGE_BUILD_FAILED')).toBe(true);
    expect(error.message).toBe(
      'apt has no installable version of linux-image-6.1.0-57-amd64: run `apt-get update` (lists in /lists)',
    );
  });
});

describe('the remembered answer', () => {
  it('is keyed by a fingerprint of the package lists, which changes when they do', async () => {
    const lists = path.join(dir, 'lists');
    mkdirSync(path.join(lists, 'partial'), { recursive: true });
    writeFileSync(path.join(lists, 'lock'), '');
    expect(await aptListsFingerprint(lists)).toBeNull();
    expect(await aptListsFingerprint(path.join(dir, 'missing'))).toBeNull();

    const index = path.join(lists, 'deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4');
    writeFileSync(index, 'v1');
    const first = await aptListsFingerprint(lists);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await aptListsFingerprint(lists)).toBe(first);
    utimesSync(index, new Date(), new Date(Date.now() + 60_000));
    const second = await aptListsFingerprint(lists);
    expect(second).not.toBe(first);

    const memo = path.join(dir, 'memo.json');
    const packages = {
      kernel: { package: 'linux-image-6.1.0-57-amd64', version: '6.1.192-3' },
      busybox: { package: 'busybox-static', version: '1:1.35.0-4' },
    };
    expect(await readBootPackagesMemo(memo, second!)).toBeNull();
    await writeBootPackagesMemo(memo, second!, packages);
    expect(await readBootPackagesMemo(memo, second!)).toEqual(packages);
    expect(await readBootPackagesMemo(memo, first!)).toBeNull();
    writeFileSync(memo, '{"fingerprint": 1');
    expect(await readBootPackagesMemo(memo, second!)).toBeNull();
  });
});
