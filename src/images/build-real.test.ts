/**
 * The real thing: debootstrap from the host's Debian mirror, tar, import into Docker, run the
 * guest; then the microVM files on the same rootfs (the host apt's kernel, the initramfs, the
 * ext4 disk), booted in QEMU to the guest init's `aether-init:` line when QEMU is installed.
 * It needs root, debootstrap, the network, apt's package lists and a Docker engine, and takes a
 * few minutes, so it runs only when asked: AETHER_IMAGE_BUILD_TEST=1. (CI builds the guest image
 * with the same code in `.ci/run` before the tests, so a broken build fails CI there.) When not
 * asked, the file prints why and defines no test, rather than counting a skip.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBackend } from '../../test/support/backends.js';
import { buildGuestImage } from './build-image.js';
import type { BuildProgress } from './build-progress.js';
import { buildVmImage, type VmImageBuild } from './build-vm-image.js';
import { importIntoDocker, listDockerTags } from './docker-import.js';
import { readHostDebianMirror } from './host-mirror.js';
import { findTool } from './host-tools.js';
import { createGuestRecipe, DEFAULT_DEBIAN_MIRROR } from './recipe.js';
import { findVmImage } from './vm-cache.js';
import { VM_INIT_MARKER } from './vm-init-scripts.js';

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
      '(debootstrap + Docker import + microVM files booted in QEMU, a few minutes, needs root, ' +
      'network, apt lists and a Docker engine)',
  );
} else {
  const missing = await missingPrerequisite();
  run = await requireBackend('guest image build', missing === null, missing ?? '');
}

const repository = `aetherium/guest-test-${randomBytes(4).toString('hex')}`;
// Made by the tests themselves: a skipped file must leave nothing behind.
let dataDir = '';
const recipe = createGuestRecipe({ mirror: readHostDebianMirror() ?? DEFAULT_DEBIAN_MIRROR });
/** The agent bundle `npm run build` makes; the VM image carries it. */
const agentBundle = path.resolve(import.meta.dirname, '../../dist/agent.js');

function workDir(): string {
  dataDir ||= mkdtempSync(path.join('/var/tmp', 'aether-image-build-'));
  return dataDir;
}

/**
 * Boots the image under TCG (KVM, where it exists here, refuses Debian's kernel) with the
 * devices the qemu driver gives it, the disk in snapshot mode, until the console shows `until`.
 * Resolves to the milliseconds it took and the console output.
 */
function bootToMarker(
  image: VmImageBuild,
  until: string,
  timeoutMs: number,
): Promise<{ ms: number; console: string }> {
  const dir = mkdtempSync(path.join('/tmp', 'aether-boot-'));
  const qemu = findTool('qemu-system-x86_64', { path: process.env.PATH })!;
  const args = [
    ['-M', 'microvm,accel=tcg', '-cpu', 'max', '-m', '256', '-smp', '1'],
    ['-nodefaults', '-no-user-config', '-nographic', '-no-reboot'],
    ['-kernel', image.kernel, '-initrd', image.initrd],
    [
      '-append',
      'console=ttyS0 quiet loglevel=3 panic=-1 reboot=t rw tsc_early_khz=2000000 tsc=reliable aether.net=none',
    ],
    [
      '-drive',
      `id=root,file=${image.rootfs},format=raw,if=none,snapshot=on`,
      '-device',
      'virtio-blk-device,drive=root',
    ],
    ['-object', 'rng-random,id=rng0,filename=/dev/urandom', '-device', 'virtio-rng-device,rng=rng0'],
    ['-device', 'virtio-serial-device'],
    ['-chardev', `socket,id=agent,path=${dir}/agent.sock,server=on,wait=off`],
    ['-device', 'virtserialport,chardev=agent,name=aether.agent', '-serial', 'stdio'],
  ].flat();
  const started = Date.now();
  const child = spawn(qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise<{ ms: number; console: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${until} within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const at = output.indexOf(until);
      if (at >= 0 && output.indexOf('\n', at) > 0) {
        clearTimeout(timer);
        resolve({ ms: Date.now() - started, console: output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`QEMU exited (${code ?? signal}) before ${until}:\n${output}`));
    });
  }).finally(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
}
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
      const events: BuildProgress[] = [];
      const build = await buildGuestImage(recipe, {
        dataDir: workDir(),
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

  it(
    'builds the microVM files on that rootfs, boots them in QEMU to aether-init, and is cached afterwards',
    async () => {
      const events: BuildProgress[] = [];
      const vm = await buildVmImage(recipe, {
        dataDir: workDir(),
        env: process.env,
        agentBundle,
        onProgress: (event) => events.push(event),
      });
      const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
      console.log(
        `[image] microVM ${vm.short} in ${(vm.durationMs / 1000).toFixed(1)} s: kernel ${vm.manifest.kernel.release} ` +
          `(${vm.manifest.kernel.boot}, ${mib(vm.manifest.sizes.vmlinux ?? vm.manifest.sizes.vmlinuz)}), initrd ${mib(vm.manifest.sizes.initrd)}, ` +
          `rootfs.ext4 ${vm.manifest.diskSizeMiB} MiB (${mib(statSync(vm.rootfs).blocks * 512)} on disk)`,
      );
      expect(vm.cached).toBe(false);
      expect(vm.manifest.kernel.release).toMatch(/^\d+\.\d+\.\d+-\d+-amd64$/);
      expect(vm.manifest.modules).toContain('ext4');
      // Debian's kernel is XZ-compressed with a PVH entry: the VM boots the uncompressed vmlinux.
      expect(vm.manifest.kernel.boot).toBe('pvh');
      expect(vm.kernel).toBe(path.join(vm.dir, 'vmlinux'));
      expect(events.map((e) => e.phase)).toEqual(
        expect.arrayContaining(['download', 'kernel', 'initramfs', 'populate', 'ext4']),
      );
      expect(await findVmImage(dataDir)).toEqual({
        id: vm.short,
        kernel: vm.kernel,
        initrd: vm.initrd,
        rootfs: vm.rootfs,
      });

      if (!findTool('qemu-system-x86_64', { path: process.env.PATH })) {
        console.warn(
          '[skip] booting the microVM image: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)',
        );
      } else {
        const boot = await bootToMarker(vm, VM_INIT_MARKER, 180_000);
        const line = boot.console.split('\n').find((l) => l.includes(VM_INIT_MARKER));
        console.log(`[image] QEMU (TCG) reached "${line?.trim()}" in ${(boot.ms / 1000).toFixed(1)} s`);
      }

      const again = await buildVmImage(recipe, { dataDir, env: { PATH: '' }, toolDirs: [], agentBundle });
      expect(again.cached).toBe(true);
    },
    10 * 60_000,
  );
});
