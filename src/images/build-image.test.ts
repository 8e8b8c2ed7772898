/**
 * The builder end to end, with a stand-in debootstrap: a shell script that prints real
 * debootstrap lines and makes a small tree. Everything else is real: the spawn runner, tar, the
 * cache directory and its atomic rename. The real debootstrap runs in docker-import.test.ts.
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
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAetherError } from '../core/errors.js';
import { type BuildGuestImageOptions, buildGuestImage } from './build-image.js';
import type { BuildProgress } from './build-progress.js';
import type { CommandRunner } from './command-runner.js';
import { findCachedImage, imagesDir, listCachedImages } from './image-cache.js';
import { guestImageId } from './image-id.js';
import { createGuestRecipe } from './recipe.js';

const FAKE_DEBOOTSTRAP = `#!/bin/sh
# Stand-in for debootstrap: argv is "--variant=... [--include=...] SUITE TARGET MIRROR".
printf '%s\\n' "$@" > "$FAKE_ARGV_FILE"
for arg in "$@"; do target="$suite"; suite="$arg"; done
echo 'I: Retrieving InRelease '
echo 'I: Retrieving nodejs 18.19.0+dfsg-6~deb12u2'
echo 'I: Validating nodejs 18.19.0+dfsg-6~deb12u2'
echo 'I: Checking component main on http://deb.debian.org/debian...' >&2
if [ -n "$FAKE_SLEEP" ]; then sleep "$FAKE_SLEEP"; fi
if [ -n "$FAKE_FAIL" ]; then
  i=0; while [ $i -lt 80 ]; do echo "noise line $i"; i=$((i+1)); done
  echo "E: Couldn't find these debs: nosuchpkg" >&2
  exit 1
fi
echo 'I: Extracting nodejs...'
echo 'I: Installing core packages...'
echo 'I: Configuring nodejs...'
mkdir -p "$target/etc" "$target/bin" "$target/var/cache/apt/archives" "$target/var/lib/apt/lists/partial"
echo 'ID=debian' > "$target/etc/os-release"
echo 'build-host' > "$target/etc/hostname"
echo 'nameserver 10.9.8.7' > "$target/etc/resolv.conf"
echo deb > "$target/var/cache/apt/archives/nodejs_18.deb"
echo bin > "$target/var/cache/apt/pkgcache.bin"
echo index > "$target/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease"
: > "$target/var/lib/apt/lists/lock"
echo 'I: Base system installed successfully.'
`;

const recipe = createGuestRecipe({ mirror: 'http://deb.debian.org/debian', packages: ['nodejs', 'git'] });

let work = '';
let dataDir = '';
let bin = '';
let argvFile = '';

beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'aether-image-'));
  dataDir = path.join(work, 'data');
  bin = path.join(work, 'bin');
  argvFile = path.join(work, 'argv');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'debootstrap'), FAKE_DEBOOTSTRAP);
  chmodSync(path.join(bin, 'debootstrap'), 0o755);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Options for a build with the stand-in: found first on PATH, tar from /usr/bin or /bin; uid 0 so it runs anywhere. */
function fake(
  extra: Record<string, string> = {},
  more: Partial<BuildGuestImageOptions> = {},
): BuildGuestImageOptions {
  return {
    dataDir,
    env: { PATH: `${bin}:/usr/bin:/bin`, FAKE_ARGV_FILE: argvFile, ...extra },
    toolDirs: [],
    uid: 0,
    ...more,
  };
}

/** A runner that fails the test if anything is run. */
const forbiddenRunner: CommandRunner = {
  run(file) {
    throw new Error(`a cached build ran ${file}`);
  },
};

function tarList(file: string): string[] {
  const out = spawnSync('tar', ['-tf', file], { encoding: 'utf8' });
  expect(out.status).toBe(0);
  return out.stdout.split('\n').filter(Boolean);
}

function tarRead(file: string, member: string): string {
  return spawnSync('tar', ['-xOf', file, member], { encoding: 'utf8' }).stdout;
}

describe('buildGuestImage', () => {
  it('runs debootstrap with argv only, trims the tree, packs it and caches it under its id', async () => {
    const events: BuildProgress[] = [];
    const build = await buildGuestImage(recipe, fake({}, { onProgress: (e) => events.push(e) }));
    const { id, hex, short } = guestImageId(recipe);

    expect(build.cached).toBe(false);
    expect(build.manifest).toMatchObject({ id, recipe, builderVersion: 1 });
    expect(build.short).toBe(short);
    expect(build.dir).toBe(path.join(imagesDir(dataDir), hex));
    expect(readdirSync(build.dir).sort()).toEqual(['manifest.json', 'rootfs.tar']);
    expect(JSON.parse(readFileSync(path.join(build.dir, 'manifest.json'), 'utf8'))).toEqual(build.manifest);

    const argv = readFileSync(argvFile, 'utf8').trim().split('\n');
    expect(argv).toEqual([
      '--variant=minbase',
      '--include=git,nodejs',
      'bookworm',
      argv[3],
      'http://deb.debian.org/debian',
    ]);
    expect(argv[3]).toMatch(new RegExp(`^${imagesDir(dataDir)}/\\.build-${process.pid}-[0-9a-f]+/rootfs$`));

    const members = tarList(build.rootfsPath);
    expect(members).toContain('./etc/os-release');
    expect(members).toContain('./var/lib/apt/lists/lock');
    expect(members).toContain('./var/lib/apt/lists/partial/');
    expect(members.filter((m) => /\.deb$|\.bin$|InRelease$/.test(m))).toEqual([]);
    expect(tarRead(build.rootfsPath, './etc/hostname')).toBe('aether\n');
    expect(tarRead(build.rootfsPath, './etc/resolv.conf')).not.toContain('10.9.8.7');

    expect(events.map((e) => [e.phase, e.package ?? null])).toEqual([
      ['index', 'InRelease'],
      ['retrieve', 'nodejs'],
      ['validate', 'nodejs'],
      ['extract', 'nodejs'],
      ['install', null],
      ['configure', 'nodejs'],
      ['installed', null],
      ['trim', null],
      ['archive', null],
    ]);
    // Nothing is left behind but the entry itself.
    expect(readdirSync(imagesDir(dataDir))).toEqual([hex]);
  });

  it('returns a cached image at once, running nothing, even without the tools or root', async () => {
    const first = await buildGuestImage(recipe, fake());
    const again = await buildGuestImage(
      createGuestRecipe({ mirror: 'http://deb.debian.org/debian/', packages: ['git', 'nodejs', 'git'] }),
      { dataDir, env: { PATH: '' }, toolDirs: [], uid: 1000, runner: forbiddenRunner },
    );
    expect(again).toEqual({ ...first, cached: true, durationMs: 0 });
    expect(await listCachedImages(dataDir)).toHaveLength(1);
  });

  it('reports a failed debootstrap with its E: line and last output lines, and leaves nothing', async () => {
    const error = await buildGuestImage(recipe, fake({ FAKE_FAIL: '1' }, { tailLines: 20 })).catch((e) => e);
    expect(isAetherError(error, 'ERR_IMAGE_BUILD_FAILED')).toBe(true);
    expect(error.message.split('\n')[0]).toBe(
      "debootstrap exited with code 1: E: Couldn't find these debs: nosuchpkg",
    );
    expect(error.message).toContain('--- last 20 lines of debootstrap output ---');
    expect(error.details.output).toHaveLength(20);
    // stdout and stderr interleave as they arrive; the newest lines are kept, the oldest dropped.
    expect(error.details.output).toContain('noise line 79');
    expect(error.details.output).not.toContain('noise line 0');
    expect(error.details).toMatchObject({ step: 'debootstrap', exitCode: 1 });
    expect(readdirSync(imagesDir(dataDir))).toEqual([]);
    expect(await findCachedImage(dataDir, guestImageId(recipe).hex)).toBeNull();
  });

  it('stops when aborted: kills debootstrap and what it started, removes the build directory', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const building = buildGuestImage(
      recipe,
      fake({ FAKE_SLEEP: '30' }, { signal: controller.signal, onProgress: () => controller.abort() }),
    );
    const error = await building.catch((e) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(isAetherError(error, 'ERR_IMAGE_BUILD_FAILED')).toBe(true);
    expect(error.message).toBe('image build cancelled during debootstrap');
    expect(readdirSync(imagesDir(dataDir))).toEqual([]);
    // The sleep the script started is gone too (it was in debootstrap's process group).
    const sleeping = spawnSync('pgrep', ['-f', `^sleep 30$`], { encoding: 'utf8' }).stdout.trim();
    for (const pid of sleeping.split('\n').filter(Boolean)) {
      const env = (() => {
        try {
          return readFileSync(`/proc/${pid}/environ`, 'utf8');
        } catch {
          return ''; // exited meanwhile
        }
      })();
      expect(env).not.toContain(argvFile);
    }
  });

  it('never takes a half-written entry for an image, and removes builds of dead processes', async () => {
    const { hex } = guestImageId(recipe);
    const root = imagesDir(dataDir);
    // A crash between tar and manifest could not leave this (the rename is the last step), but a
    // hand-made or damaged entry must not count either: no manifest means not cached.
    mkdirSync(path.join(root, hex), { recursive: true });
    writeFileSync(path.join(root, hex, 'rootfs.tar'), 'partial');
    const dead = spawnSync('true').pid!;
    mkdirSync(path.join(root, `.build-${dead}-deadbeef`, 'rootfs'), { recursive: true });
    expect(await findCachedImage(dataDir, hex)).toBeNull();

    const build = await buildGuestImage(recipe, fake());
    expect(build.cached).toBe(false);
    expect(tarList(build.rootfsPath)).toContain('./etc/os-release');
    expect(readdirSync(root)).toEqual([hex]);
    expect(existsSync(path.join(root, `.build-${dead}-deadbeef`))).toBe(false);
  });

  it('checks the host before building: a missing debootstrap is named with its package', async () => {
    const error = await buildGuestImage(recipe, {
      dataDir,
      env: { PATH: '/usr/bin:/bin' },
      toolDirs: [],
      uid: 0,
    }).catch((e) => e);
    expect(isAetherError(error, 'ERR_HOST_TOOL_MISSING')).toBe(true);
    expect(error.message).toBe(
      'debootstrap not found on PATH: install it with `apt-get install debootstrap`',
    );
    expect(existsSync(imagesDir(dataDir))).toBe(false);
  });
});

describe('stale build directories', () => {
  it('are kept while a live process still works in them', async () => {
    const root = imagesDir(dataDir);
    const dead = spawnSync('true').pid!;
    const orphan = path.join(root, `.build-${dead}-0rphan00`);
    mkdirSync(path.join(orphan, 'rootfs'), { recursive: true });
    // What a debootstrap left running by a killed builder looks like: its argv names the tree.
    const { spawn } = await import('node:child_process');
    const survivor = spawn('sh', ['-c', 'sleep 30', path.join(orphan, 'rootfs')], { stdio: 'ignore' });
    await new Promise((resolve) => survivor.once('spawn', resolve));
    try {
      await buildGuestImage(recipe, fake());
      expect(existsSync(orphan)).toBe(true);
    } finally {
      survivor.kill('SIGKILL');
    }
    await new Promise((resolve) => survivor.once('exit', resolve));
    await buildGuestImage(
      createGuestRecipe({ mirror: 'http://deb.debian.org/debian', packages: ['git'] }),
      fake(),
    );
    expect(existsSync(orphan)).toBe(false);
  });
});
