/**
 * Importing into a real Docker engine (DOCKER_HOST, else /var/run/docker.sock). The image is a
 * tiny hand-made cache entry, so this takes seconds; the real debootstrap build is in
 * build-real.test.ts. Each test uses its own repository name and removes its images.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBackend } from '../../test/support/backends.js';
import { isAetherError } from '../core/errors.js';
import { createSpawnRunner } from './command-runner.js';
import { IMAGE_ID_LABEL, importIntoDocker, listDockerTags } from './docker-import.js';
import { type CachedGuestImage, imagesDir, readCacheEntry, writeManifest } from './image-cache.js';
import { guestImageId } from './image-id.js';
import { createGuestRecipe } from './recipe.js';

const socketPath = process.env.DOCKER_HOST?.startsWith('unix://')
  ? process.env.DOCKER_HOST.slice('unix://'.length)
  : '/var/run/docker.sock';
const docker = new Dockerode({ socketPath });
const pingError = await docker.ping().then(
  () => null,
  (error: Error) => error.message,
);
const available = await requireBackend(
  'Docker',
  pingError === null,
  `no Docker engine at unix://${socketPath} (${pingError}); start dockerd or set DOCKER_HOST`,
);

const work = mkdtempSync(path.join(tmpdir(), 'aether-import-'));
const repositories: string[] = [];
afterAll(async () => {
  for (const repository of repositories) {
    const tags = await listDockerTags(docker, repository).catch(() => new Map<string, string>());
    for (const tag of tags.keys())
      await docker
        .getImage(`${repository}:${tag}`)
        .remove({ force: true })
        .catch(() => {});
  }
  rmSync(work, { recursive: true, force: true });
});

/** A cache entry made by hand: one file in a tarball, with its manifest. */
async function tinyImage(packages: string[]): Promise<CachedGuestImage> {
  const recipe = createGuestRecipe({ mirror: 'http://deb.debian.org/debian', packages });
  const { id, hex } = guestImageId(recipe);
  const dataDir = path.join(work, 'data');
  const dir = path.join(imagesDir(dataDir), hex);
  const tree = path.join(work, `tree-${hex}`);
  mkdirSync(path.join(tree, 'etc'), { recursive: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(tree, 'etc', 'os-release'), `ID=aether-test\nIMAGE=${id}\n`);
  const tarball = path.join(dir, 'rootfs.tar');
  const tar = await createSpawnRunner().run('tar', ['--numeric-owner', '-C', tree, '-cf', tarball, '.'], {
    env: { PATH: '/usr/bin:/bin' },
  });
  expect(tar.exitCode).toBe(0);
  await writeManifest(dir, {
    id,
    recipe,
    createdAt: new Date().toISOString(),
    sizeBytes: statSync(tarball).size,
    builderVersion: 1,
  });
  const entry = await readCacheEntry(dir, hex);
  expect(entry).not.toBeNull();
  return entry!;
}

function newRepository(): string {
  const repository = `aetherium/guest-test-${randomBytes(4).toString('hex')}`;
  repositories.push(repository);
  return repository;
}

describe.skipIf(!available)('importIntoDocker', () => {
  it('imports, tags <short> and latest, labels the id; a second import only tags latest', async () => {
    const repository = newRepository();
    const image = await tinyImage(['nodejs', 'git']);
    const first = await importIntoDocker(docker, image, { repository });
    expect(first.imported).toBe(true);
    expect(first.tags).toEqual([`${repository}:${image.short}`, `${repository}:latest`]);
    expect(first.dockerImageId).toMatch(/^sha256:[0-9a-f]{64}$/);

    const inspected = await docker.getImage(`${repository}:latest`).inspect();
    expect(inspected.Id).toBe(first.dockerImageId);
    expect(inspected.Config.Labels[IMAGE_ID_LABEL]).toBe(image.manifest.id);
    expect(inspected.Config.Cmd).toEqual(['/bin/bash']);

    // latest moves to another image, then back with a cheap re-import of the first.
    const other = await tinyImage(['nodejs']);
    const second = await importIntoDocker(docker, other, { repository });
    expect(second.imported).toBe(true);
    expect((await listDockerTags(docker, repository)).get('latest')).toBe(second.dockerImageId);

    const again = await importIntoDocker(docker, image, { repository });
    expect(again).toEqual({ ...first, imported: false });
    const tags = await listDockerTags(docker, repository);
    expect(tags.get('latest')).toBe(first.dockerImageId);
    expect(tags.get(image.short)).toBe(first.dockerImageId);
    expect(tags.get(other.short)).toBe(second.dockerImageId);
  });

  it("surfaces the engine's refusal as ERR_IMAGE_BUILD_FAILED", async () => {
    const image = await tinyImage(['bash']);
    writeFileSync(image.rootfsPath, 'this is not a tar archive');
    const error = await importIntoDocker(docker, image, { repository: newRepository() }).catch((e) => e);
    expect(isAetherError(error, 'ERR_IMAGE_BUILD_FAILED')).toBe(true);
    expect(error.message).toMatch(/^Docker engine at unix:\/\/.*: importing .*rootfs\.tar failed: ./);
  });

  it('refuses a repository name Docker would refuse, before calling it', async () => {
    const image = await tinyImage(['bash']);
    const error = await importIntoDocker(docker, image, { repository: 'Aetherium/Guest' }).catch((e) => e);
    expect(isAetherError(error, 'ERR_VALIDATION')).toBe(true);
    expect(error.message).toMatch(/^repository: "Aetherium\/Guest" is not a Docker repository name/);
  });
});

describe('importIntoDocker without an engine', () => {
  it('says where it looked and which setting to change', async () => {
    const image = await tinyImage(['procps']);
    const nowhere = new Dockerode({ socketPath: path.join(work, 'no-docker.sock') });
    const error = await importIntoDocker(nowhere, image).catch((e) => e);
    expect(isAetherError(error, 'ERR_ISOLATION_UNAVAILABLE')).toBe(true);
    expect(error.message).toBe(
      `Docker engine not reachable at unix://${path.join(work, 'no-docker.sock')} (ENOENT): ` +
        'start dockerd, or point DOCKER_HOST at a running engine',
    );
  });
});
