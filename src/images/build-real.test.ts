/**
 * The real thing: debootstrap from the host's Debian mirror, tar, import into Docker, run the
 * guest. It needs root, debootstrap, the network and a Docker engine, and takes a minute or
 * more, so it runs only when asked: AETHER_IMAGE_BUILD_TEST=1. (CI builds the guest image with the
 * same code in `.ci/run` before the tests, so a broken build fails CI there.) When not asked, the
 * file prints why and defines no test, rather than counting a skip.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBackend } from '../../test/support/backends.js';
import { buildGuestImage } from './build-image.js';
import type { BuildProgress } from './build-progress.js';
import { importIntoDocker, listDockerTags } from './docker-import.js';
import { readHostDebianMirror } from './host-mirror.js';
import { findTool } from './host-tools.js';
import { createGuestRecipe, DEFAULT_DEBIAN_MIRROR } from './recipe.js';

const wanted = process.env.AETHER_IMAGE_BUILD_TEST === '1';
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });

async function missingPrerequisite(): Promise<string | null> {
  if (process.geteuid?.() !== 0) return 'not running as root (debootstrap needs it)';
  if (!findTool('debootstrap', { path: process.env.PATH })) return 'debootstrap is not installed';
  const ping = await docker.ping().then(
    () => null,
    (error: Error) => error.message,
  );
  return ping === null ? null : `no Docker engine at /var/run/docker.sock (${ping})`;
}

let run = false;
if (!wanted) {
  console.warn(
    '[skip] real guest image build: set AETHER_IMAGE_BUILD_TEST=1 to run it ' +
      '(debootstrap + Docker import, ~1-2 min, needs root, network and a Docker engine)',
  );
} else {
  const missing = await missingPrerequisite();
  run = await requireBackend('guest image build', missing === null, missing ?? '');
}

const repository = `aetherium/guest-test-${randomBytes(4).toString('hex')}`;
// Made by the test itself: a skipped file must leave nothing behind.
let dataDir = '';
afterAll(async () => {
  if (!dataDir) return;
  const tags = await listDockerTags(docker, repository).catch(() => new Map<string, string>());
  for (const tag of tags.keys())
    await docker
      .getImage(`${repository}:${tag}`)
      .remove({ force: true })
      .catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
});

async function runIn(image: string, script: string): Promise<string> {
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const [result, container] = await docker.run(image, ['sh', '-c', script], output, { Tty: true });
  await container.remove({ force: true });
  expect(result.StatusCode).toBe(0);
  return text;
}

describe.skipIf(!run)('real guest image build', () => {
  it(
    'builds the default recipe, imports it, runs node and git in it, and is cached afterwards',
    async () => {
      dataDir = mkdtempSync(path.join('/var/tmp', 'aether-image-build-'));
      const recipe = createGuestRecipe({ mirror: readHostDebianMirror() ?? DEFAULT_DEBIAN_MIRROR });
      const events: BuildProgress[] = [];
      const build = await buildGuestImage(recipe, {
        dataDir,
        env: process.env,
        onProgress: (event) => events.push(event),
      });
      console.log(
        `[image] built ${build.short} in ${(build.durationMs / 1000).toFixed(1)} s, ` +
          `rootfs.tar ${(build.manifest.sizeBytes / 2 ** 20).toFixed(1)} MiB, in ${dataDir}`,
      );
      expect(build.cached).toBe(false);
      expect(events.some((e) => e.phase === 'retrieve' && e.package === 'nodejs')).toBe(true);
      expect(events.some((e) => e.phase === 'configure' && e.package === 'git')).toBe(true);
      expect(events.map((e) => e.phase).slice(-3)).toEqual(['installed', 'trim', 'archive']);

      const imported = await importIntoDocker(docker, build, { repository });
      expect(imported.imported).toBe(true);
      const out = await runIn(
        `${repository}:latest`,
        'node --version; git --version; cat /etc/hostname; ls /',
      );
      expect(out).toMatch(/^v\d+\.\d+\.\d+/m);
      expect(out).toMatch(/^git version \d/m);
      expect(out).toContain('usr');

      const again = await buildGuestImage(recipe, { dataDir, env: { PATH: '' }, toolDirs: [] });
      expect(again.cached).toBe(true);
      expect((await importIntoDocker(docker, again, { repository })).imported).toBe(false);
    },
    10 * 60_000,
  );
});
