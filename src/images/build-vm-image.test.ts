/**
 * The microVM image builder end to end, with stand-ins for the programs that need the network
 * or make file systems (debootstrap, apt-cache, apt-get, dpkg-deb, mke2fs): shell scripts that
 * print what the real ones print and make small trees. The stand-in mke2fs packs the tree it is
 * given with tar, so the test can read what the guest's disk would hold. Everything else is
 * real: the spawn runner, tar, module resolution, the cpio writer, gzip and the cache. The real
 * programs, and a boot in QEMU, run in build-real.test.ts.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { elfWithNotes } from '../../test/support/elf.js';
import { isAetherError } from '../core/errors.js';
import type { BuildProgress } from './build-progress.js';
import { type BuildVmImageOptions, buildVmImage } from './build-vm-image.js';
import { type CommandRunner, createSpawnRunner } from './command-runner.js';
import { parseCpioArchive } from './cpio.js';
import { findCachedImage, imagesDir } from './image-cache.js';
import { guestImageId } from './image-id.js';
import { createGuestRecipe } from './recipe.js';
import { findVmImage, listVmImages, vmImagesDir } from './vm-cache.js';
import { GUEST_INIT_SCRIPT } from './vm-init-scripts.js';

const FAKE_DEBOOTSTRAP = `#!/bin/sh
for arg in "$@"; do target="$suite"; suite="$arg"; done
echo 'I: Retrieving tini 0.19.0-1+b3'
mkdir -p "$target/usr/bin" "$target/usr/sbin" "$target/etc" "$target/opt" "$target/home"
ln -s usr/sbin "$target/sbin"
ln -s usr/bin "$target/bin"
for p in node tini ip; do echo "$p" > "$target/usr/bin/$p"; chmod 755 "$target/usr/bin/$p"; done
echo 'root:*:20000:0:99999:7:::' > "$target/etc/shadow"
echo 'I: Base system installed successfully.'
`;

const FAKE_APT_CACHE = `#!/bin/sh
echo "apt-cache $*" >> "$FAKE_LOG"
case "$1" in
depends) printf 'linux-image-amd64\\n  Depends: linux-image-6.1.0-99-amd64\\n' ;;
policy)
  printf 'linux-image-6.1.0-99-amd64:\\n  Installed: (none)\\n  Candidate: %s\\n' "$FAKE_KERNEL_VERSION"
  printf 'busybox-static:\\n  Installed: (none)\\n  Candidate: 1:1.35.0-4\\n' ;;
esac
`;

const FAKE_APT_GET = `#!/bin/sh
echo "apt-get $* in $(pwd)" >> "$FAKE_LOG"
shift
n=0
for spec in "$@"; do
  n=$((n + 1)); pkg=\${spec%%=*}; version=\${spec#*=}
  : > "\${pkg}_$(echo "$version" | sed 's/:/%3a/')_amd64.deb"
  echo "Get:$n http://deb.debian.org/debian bookworm/main amd64 $pkg amd64 $version [1 kB]"
done
`;

const FAKE_DPKG_DEB = `#!/bin/sh
# dpkg-deb -x DEB DIR: copies the fixture tree of DEB's package.
mkdir -p "$3" && cp -a "$FAKE_FIXTURES/$(basename "$2" | cut -d_ -f1)/." "$3"
`;

const FAKE_XZ = `#!/bin/sh
# xz --decompress ... FILE.xz: the stand-in "compression" is the 6-byte XZ magic in front.
echo "xz $*" >> "$FAKE_LOG"
for f in "$@"; do case "$f" in *.xz) tail -c +7 "$f" > "\${f%.xz}" && rm "$f" ;; esac; done
`;

const FAKE_MKE2FS = `#!/bin/sh
echo "mke2fs $*" >> "$FAKE_LOG"
if [ -n "$FAKE_MKE2FS_FAIL" ]; then echo 'mke2fs: Could not allocate block in ext2 filesystem' >&2; exit 1; fi
while [ $# -gt 2 ]; do [ "$1" = -d ] && root="$2"; shift; done
tar -C "$root" -cf "$1" .
`;

/** Module file → its depends=, as in Debian's 6.1 kernel. */
const MODULES: Record<string, string> = {
  'drivers/virtio/virtio_ring.ko': '',
  'drivers/virtio/virtio.ko': 'virtio_ring',
  'drivers/virtio/virtio_mmio.ko': 'virtio,virtio_ring',
  'drivers/virtio/virtio_balloon.ko': 'virtio,virtio_ring',
  'drivers/block/virtio_blk.ko': 'virtio,virtio_ring',
  'drivers/char/virtio_console.ko': 'virtio,virtio_ring',
  'drivers/char/hw_random/virtio-rng.ko': 'virtio,virtio_ring',
  'net/core/failover.ko': '',
  'drivers/net/net_failover.ko': 'failover',
  'drivers/net/virtio_net.ko': 'virtio_ring,virtio,net_failover',
  'lib/crc16.ko': '',
  'crypto/crc32c_generic.ko': '',
  'fs/jbd2/jbd2.ko': '',
  'fs/mbcache.ko': '',
  'fs/ext4/ext4.ko': 'jbd2,mbcache,crc16',
};
const LOAD_ORDER = [
  'virtio_ring',
  'virtio',
  'virtio_mmio',
  'virtio_blk',
  'virtio_console',
  'virtio_rng',
  'failover',
  'net_failover',
  'virtio_net',
  'crc16',
  'crc32c_generic',
  'jbd2',
  'mbcache',
  'ext4',
];

/** The uncompressed kernel: an ELF with the PVH entry note. */
const VMLINUX = elfWithNotes([['Xen', 0x12]]);
/** A bzImage as the stand-in xz understands it: setup code, then the XZ magic and the kernel. */
const BZIMAGE = Buffer.concat([
  Buffer.from('bzImage setup'),
  Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]),
  VMLINUX,
]);

const recipe = createGuestRecipe({ mirror: 'http://deb.debian.org/debian', packages: ['nodejs', 'tini'] });

let work = '';
let dataDir = '';
let bin = '';
let lists = '';
let agent = '';
let log = '';
let fixtures = '';

function tool(name: string, text: string) {
  writeFileSync(path.join(bin, name), text);
  chmodSync(path.join(bin, name), 0o755);
}

beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'aether-vm-image-'));
  dataDir = path.join(work, 'data');
  bin = path.join(work, 'bin');
  lists = path.join(work, 'lists');
  agent = path.join(work, 'agent.js');
  log = path.join(work, 'log');
  fixtures = path.join(work, 'fixtures');
  mkdirSync(bin);
  tool('debootstrap', FAKE_DEBOOTSTRAP);
  tool('apt-cache', FAKE_APT_CACHE);
  tool('apt-get', FAKE_APT_GET);
  tool('dpkg-deb', FAKE_DPKG_DEB);
  tool('mke2fs', FAKE_MKE2FS);
  tool('xz', FAKE_XZ);
  mkdirSync(lists);
  writeFileSync(path.join(lists, 'deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages'), 'x');
  writeFileSync(agent, 'export const agent = "v1";\n');
  writeFileSync(log, '');
  const modules = path.join(fixtures, 'linux-image-6.1.0-99-amd64', 'lib/modules/6.1.0-99-amd64');
  for (const [file, depends] of Object.entries(MODULES)) {
    mkdirSync(path.dirname(path.join(modules, 'kernel', file)), { recursive: true });
    writeFileSync(path.join(modules, 'kernel', file), `\x7fELF...\0depends=${depends}\0name=x\0`);
  }
  writeFileSync(path.join(modules, 'modules.builtin'), 'kernel/drivers/char/hw_random/rng-core.ko\n');
  mkdirSync(path.join(fixtures, 'linux-image-6.1.0-99-amd64', 'boot'));
  writeFileSync(path.join(fixtures, 'linux-image-6.1.0-99-amd64', 'boot/vmlinuz-6.1.0-99-amd64'), BZIMAGE);
  mkdirSync(path.join(fixtures, 'busybox-static', 'bin'), { recursive: true });
  writeFileSync(path.join(fixtures, 'busybox-static', 'bin/busybox'), 'busybox binary');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function fake(
  extra: Record<string, string> = {},
  more: Partial<BuildVmImageOptions> = {},
): BuildVmImageOptions {
  return {
    dataDir,
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      FAKE_LOG: log,
      FAKE_FIXTURES: fixtures,
      FAKE_KERNEL_VERSION: '6.1.999-1',
      ...extra,
    },
    toolDirs: [],
    uid: 0,
    agentBundle: agent,
    aptListsDir: lists,
    ...more,
  };
}

/** The real runner, counting what it runs. */
function countingRunner(): { runner: CommandRunner; ran: string[] } {
  const real = createSpawnRunner();
  const ran: string[] = [];
  return {
    ran,
    runner: {
      run(file, args, options) {
        ran.push(path.basename(file));
        return real.run(file, args, options);
      },
    },
  };
}

const forbiddenRunner: CommandRunner = {
  run(file) {
    throw new Error(`a cached build ran ${file}`);
  },
};

function tarRead(file: string, member: string): string {
  return spawnSync('tar', ['-xOf', file, member], { encoding: 'utf8' }).stdout;
}

function logLines(): string[] {
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

describe('buildVmImage', () => {
  it('makes vmlinuz, an initramfs with the modules in load order, and the root disk, under one id', async () => {
    const events: BuildProgress[] = [];
    const build = await buildVmImage(recipe, fake({}, { onProgress: (e) => events.push(e) }));
    expect(build.cached).toBe(false);
    expect(build.dir).toBe(path.join(vmImagesDir(dataDir), build.manifest.id.slice('sha256:'.length)));
    expect(readdirSync(build.dir).sort()).toEqual([
      'initrd.img',
      'manifest.json',
      'rootfs.ext4',
      'vmlinux',
      'vmlinuz',
    ]);
    expect(build.manifest).toMatchObject({
      kind: 'vm',
      rootfsImageId: guestImageId(recipe).id,
      kernel: {
        package: 'linux-image-6.1.0-99-amd64',
        version: '6.1.999-1',
        release: '6.1.0-99-amd64',
        boot: 'pvh',
      },
      busybox: { package: 'busybox-static', version: '1:1.35.0-4' },
      modules: LOAD_ORDER,
      diskSizeMiB: 4096,
      builderVersion: 1,
    });
    // The kernel to boot is the bzImage's payload, uncompressed; the bzImage is kept as shipped.
    expect(build.kernel).toBe(path.join(build.dir, 'vmlinux'));
    expect(readFileSync(build.kernel)).toEqual(VMLINUX);
    expect(readFileSync(build.vmlinuz)).toEqual(BZIMAGE);
    expect(build.manifest.sizes).toMatchObject({ vmlinuz: BZIMAGE.length, vmlinux: VMLINUX.length });
    // The rootfs it was made from was built on the way, and is cached too.
    expect(build.rootfsImage).toMatchObject({ cached: false, short: guestImageId(recipe).short });
    expect(await findCachedImage(dataDir, guestImageId(recipe).hex)).not.toBeNull();

    const initrd = parseCpioArchive(gunzipSync(readFileSync(build.initrd)));
    const byName = new Map(initrd.map((m) => [m.name, m]));
    expect(byName.get('dev/console')).toMatchObject({ mode: 0o020600, rdevMajor: 5, rdevMinor: 1 });
    expect(byName.get('bin/busybox')?.data.toString()).toBe('busybox binary');
    expect(byName.get('bin/sh')?.data.toString()).toBe('busybox');
    expect(initrd.filter((m) => m.name.startsWith('lib/modules/')).map((m) => m.name)).toEqual(
      LOAD_ORDER.map((name) => `lib/modules/${name}.ko`),
    );
    const init = byName.get('init')!;
    expect(init.mode).toBe(0o100755);
    expect(init.data.toString()).toContain(`for module in ${LOAD_ORDER.join(' ')}; do`);

    // The root disk holds the agent as .mjs and aether-init (through the /sbin symlink).
    expect(tarRead(build.rootfs, './opt/aether/agent.mjs')).toBe('export const agent = "v1";\n');
    expect(tarRead(build.rootfs, './usr/sbin/aether-init')).toBe(GUEST_INIT_SCRIPT);
    expect(tarRead(build.rootfs, './etc/hostname')).toBe('aether\n');

    const calls = logLines();
    expect(calls.filter((l) => l.startsWith('apt-cache'))).toEqual([
      'apt-cache depends linux-image-amd64',
      'apt-cache policy linux-image-6.1.0-99-amd64 busybox-static',
    ]);
    // Exactly the versions in the content address, downloaded into a directory removed afterwards.
    const download = calls.find((l) => l.startsWith('apt-get'))!;
    expect(download).toMatch(
      /^apt-get download linux-image-6\.1\.0-99-amd64=6\.1\.999-1 busybox-static=1:1\.35\.0-4 in \//,
    );
    expect(existsSync(download.split(' in ')[1]!)).toBe(false);
    expect(calls.filter((l) => l.startsWith('xz'))).toEqual([
      expect.stringMatching(/^xz --decompress --single-stream --threads=1 \/.*\/work\/vmlinux\.xz$/),
    ]);
    const mke2fs = calls.find((l) => l.startsWith('mke2fs'))!;
    expect(mke2fs).toContain('-t ext4 -L aether-root -U ');
    expect(mke2fs).toMatch(/ 4096M$/);

    expect(events.map((e) => e.phase).filter((p, i, all) => all.indexOf(p) === i)).toEqual([
      'retrieve',
      'installed',
      'trim',
      'archive',
      'download',
      'kernel',
      'initramfs',
      'populate',
      'ext4',
    ]);
    expect(events.filter((e) => e.phase === 'download').map((e) => [e.package, e.version, e.count])).toEqual([
      ['linux-image-6.1.0-99-amd64', '6.1.999-1', 1],
      ['busybox-static', '1:1.35.0-4', 2],
    ]);
    // Only the finished entry and apt's remembered answer are left.
    expect(readdirSync(vmImagesDir(dataDir)).sort()).toEqual(
      [build.manifest.id.slice(7), 'apt-packages.json'].sort(),
    );
  });

  it('boots the bzImage when its payload is not XZ or has no PVH entry', async () => {
    const kernel = path.join(fixtures, 'linux-image-6.1.0-99-amd64', 'boot/vmlinuz-6.1.0-99-amd64');
    writeFileSync(kernel, 'bzImage with a gzip payload');
    const gzip = await buildVmImage(recipe, fake());
    expect(gzip.manifest.kernel.boot).toBe('bzimage');
    expect(gzip.manifest.sizes.vmlinux).toBeNull();
    expect(gzip.kernel).toBe(gzip.vmlinuz);
    expect(readdirSync(gzip.dir)).not.toContain('vmlinux');
    expect(logLines().filter((l) => l.startsWith('xz'))).toEqual([]);

    writeFileSync(kernel, Buffer.concat([BZIMAGE.subarray(0, 19), elfWithNotes([['Xen', 0x11]])]));
    writeFileSync(agent, 'export const agent = "v2";\n');
    const noPvh = await buildVmImage(recipe, fake());
    expect(noPvh.manifest.kernel.boot).toBe('bzimage');
    expect(noPvh.kernel).toBe(noPvh.vmlinuz);
  });

  it('finds a cached image without running anything, even without the tools or root', async () => {
    const first = await buildVmImage(recipe, fake());
    const again = await buildVmImage(recipe, {
      ...fake(),
      env: { PATH: '' },
      uid: 1000,
      runner: forbiddenRunner,
    });
    expect(again).toEqual({ ...first, cached: true, durationMs: 0, rootfsImage: null });
  });

  it('is another image when the agent bundle changes', async () => {
    const first = await buildVmImage(recipe, fake());
    writeFileSync(agent, 'export const agent = "v2";\n');
    const second = await buildVmImage(recipe, fake());
    expect(second.cached).toBe(false);
    expect(second.manifest.id).not.toBe(first.manifest.id);
    expect(second.manifest.agentSha256).not.toBe(first.manifest.agentSha256);
    expect(second.manifest.rootfsImageId).toBe(first.manifest.rootfsImageId);
    expect(tarRead(second.rootfs, './opt/aether/agent.mjs')).toContain('v2');
    expect((await listVmImages(dataDir)).map((i) => i.short)).toEqual([second.short, first.short]);
  });

  it('asks apt again when its lists change, and rebuilds only when the kernel version did', async () => {
    const first = await buildVmImage(recipe, fake());
    const index = path.join(lists, readdirSync(lists)[0]!);
    const later = new Date(Date.now() + 60_000);
    utimesSync(index, later, later);
    const { runner, ran } = countingRunner();
    const same = await buildVmImage(recipe, fake({}, { runner }));
    expect(same.cached).toBe(true);
    expect(ran).toEqual(['apt-cache', 'apt-cache']);

    utimesSync(index, later, new Date(Date.now() + 120_000));
    const newer = await buildVmImage(recipe, fake({ FAKE_KERNEL_VERSION: '6.1.1000-1' }));
    expect(newer.cached).toBe(false);
    expect(newer.manifest.id).not.toBe(first.manifest.id);
    expect(newer.manifest.kernel.version).toBe('6.1.1000-1');
  });

  it('says to run apt-get update when apt has no package lists', async () => {
    rmSync(lists, { recursive: true });
    mkdirSync(path.join(lists, 'partial'), { recursive: true });
    const error = await buildVmImage(recipe, fake()).catch((e) => e);
    expect(isAetherError(error, 'ERR_HOST_TOOL_MISSING')).toBe(true);
    expect(error.message).toBe(
      `apt has no package lists in ${lists}: run \`apt-get update\` first ` +
        "(the VM kernel and busybox come from the host's apt)",
    );
  });

  it('says to build the agent when its bundle is missing', async () => {
    rmSync(agent);
    const error = await buildVmImage(recipe, fake()).catch((e) => e);
    expect(isAetherError(error, 'ERR_HOST_TOOL_MISSING')).toBe(true);
    expect(error.message).toBe(`the guest agent bundle ${agent} is missing: run \`npm run build\` first`);
  });

  it('reports a failed mke2fs with its output and leaves no build directory', async () => {
    const error = await buildVmImage(recipe, fake({ FAKE_MKE2FS_FAIL: '1' })).catch((e) => e);
    expect(isAetherError(error, 'ERR_IMAGE_BUILD_FAILED')).toBe(true);
    expect(error.message.split('\n')[0]).toBe(
      'mke2fs exited with code 1: mke2fs: Could not allocate block in ext2 filesystem',
    );
    expect(error.details).toMatchObject({ step: 'mke2fs', exitCode: 1 });
    expect(readdirSync(vmImagesDir(dataDir))).toEqual(['apt-packages.json']);
    // The rootfs it built on is kept: it is a finished image of its own.
    expect(readdirSync(imagesDir(dataDir)).sort()).toEqual([guestImageId(recipe).hex, 'vm']);
  });

  it('refuses a disk size that is not a whole number of MiB before doing anything', async () => {
    const error = await buildVmImage(recipe, fake({}, { diskSizeMiB: 1.5 })).catch((e) => e);
    expect(isAetherError(error, 'ERR_VALIDATION')).toBe(true);
    expect(logLines()).toEqual([]);
  });
});

describe('findVmImage', () => {
  it('says how to build one when there is none', async () => {
    const error = await findVmImage(dataDir).catch((e) => e);
    expect(isAetherError(error, 'ERR_IMAGE_NOT_FOUND')).toBe(true);
    expect(error.message).toBe(
      `no microVM image in ${vmImagesDir(dataDir)}: build one with \`aether image build --vm --data-dir ${dataDir}\` (as root)`,
    );
    expect((await findVmImage(dataDir, 'abc').catch((e) => e)).message).toMatch(/^no microVM image abc in /);
  });

  it('returns the newest image, or the one asked for by id or short id, as absolute paths', async () => {
    const first = await buildVmImage(recipe, fake());
    writeFileSync(agent, 'export const agent = "v2";\n');
    const second = await buildVmImage(recipe, fake());
    expect(await findVmImage(dataDir)).toEqual({
      id: second.short,
      kernel: second.kernel,
      initrd: second.initrd,
      rootfs: second.rootfs,
    });
    expect((await findVmImage(dataDir, first.short)).id).toBe(first.short);
    expect((await findVmImage(dataDir, first.manifest.id)).rootfs).toBe(first.rootfs);
    expect(path.isAbsolute((await findVmImage(path.relative(process.cwd(), dataDir))).kernel)).toBe(true);
  });
});
