/**
 * The guest kernel build for real, from Debian's mirror. Two switches, because the compile
 * takes 10+ minutes on two cores and the rest about two:
 * - AETHER_KERNEL_SOURCE_TEST=1: apt-get download of linux-source, unpack, tinyconfig + the
 *   fragment + olddefconfig, and the check that the .config kept every option (no compile);
 * - AETHER_KERNEL_BUILD_TEST=1: the whole `aether image kernel` build into a fresh data dir,
 *   the vmlinux checked, then built again to prove the second build is a cache hit.
 * Both need the network to the Debian mirror, apt's package lists and the build tools
 * (`apt-get install make gcc flex bison bc libelf-dev libssl-dev`); without a switch each test
 * prints why it is skipped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IMAGE_DATA_DIR, requireBackend } from '../../test/support/backends.js';
import { isAetherError } from '../core/errors.js';
import { findVmImage } from './index.js';
import {
  buildFirecrackerKernel,
  configureKernel,
  createKernelStepContext,
  fetchKernelSource,
  queryKernelSource,
} from './kernel-build.js';
import {
  DRIVER_REQUIRED_OPTIONS,
  KERNEL_CONFIG_FRAGMENT,
  parseKernelConfig,
  readConfigFragment,
} from './kernel-build-config.js';
import type { KernelBuildProgress } from './kernel-build-progress.js';
import { checkKernelBuildHost } from './kernel-build-tools.js';
import { hasPvhEntry } from './kernel-image.js';

const sourceWanted = process.env.AETHER_KERNEL_SOURCE_TEST === '1';
const buildWanted = process.env.AETHER_KERNEL_BUILD_TEST === '1';

function missingPrerequisite(): string | null {
  if (process.arch !== 'x64') return `the fragment is for x86_64 (this is ${process.arch})`;
  try {
    checkKernelBuildHost({ path: process.env.PATH });
    return null;
  } catch (error) {
    return isAetherError(error) ? error.message : String(error);
  }
}

async function enabled(wanted: boolean, what: string, switchName: string): Promise<boolean> {
  if (!wanted) {
    console.warn(`[skip] ${what}: set ${switchName}=1 to run it (network to Debian's mirror, minutes)`);
    return false;
  }
  const missing = missingPrerequisite();
  return requireBackend(what, missing === null, missing ?? '');
}

const runSource = await enabled(
  sourceWanted,
  'real kernel source download + configuration',
  'AETHER_KERNEL_SOURCE_TEST',
);
const runBuild = await enabled(
  buildWanted,
  'real guest kernel build (10+ minutes)',
  'AETHER_KERNEL_BUILD_TEST',
);

const dirs: string[] = [];
function tempDir(prefix: string): string {
  // /var/tmp: the source tree alone is over 1 GiB, more than a tmpfs /tmp may hold.
  const dir = mkdtempSync(path.join('/var/tmp', prefix));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!runSource)("Debian's kernel source, configured for Firecracker", () => {
  it('downloads, unpacks and configures it with every fragment option kept', {
    timeout: 15 * 60_000,
  }, async () => {
    const events: KernelBuildProgress[] = [];
    const context = createKernelStepContext({ env: process.env, onProgress: (event) => events.push(event) });
    const source = await queryKernelSource(context);
    expect(source.package).toMatch(/^linux-source-\d/);
    const started = Date.now();
    const tree = await fetchKernelSource(context, source, tempDir('aether-kernel-source-'));
    const fetchedMs = Date.now() - started;
    const fragment = await readConfigFragment();
    await configureKernel(
      context,
      tree,
      fragment,
      KERNEL_CONFIG_FRAGMENT,
      `${source.package} ${source.version}`,
    );
    const config = parseKernelConfig(readFileSync(path.join(tree, '.config'), 'utf8'));
    for (const option of DRIVER_REQUIRED_OPTIONS) expect(config.values.get(option), option).toBe('y');
    expect(config.values.get('CONFIG_MODULES')).toBeUndefined();
    expect(events.map((event) => event.stage)).toEqual([
      'download',
      'extract',
      'configure',
      'configure',
      'configure',
    ]);
    console.info(
      `[kernel source] ${source.package} ${source.version}: download + unpack ${(fetchedMs / 1000).toFixed(1)} s, ` +
        `configure ${((Date.now() - started - fetchedMs) / 1000).toFixed(1)} s`,
    );
  });
});

describe.skipIf(!runBuild)('aether image kernel, for real', () => {
  it('builds a PVH vmlinux, then finds it in the cache', { timeout: 90 * 60_000 }, async () => {
    const dataDir = tempDir('aether-kernel-build-');
    const stages = new Set<string>();
    const first = await buildFirecrackerKernel({
      dataDir,
      env: process.env,
      onProgress: (event) => stages.add(event.stage),
    });
    expect(first.cached).toBe(false);
    expect([...stages]).toEqual([
      'source',
      'download',
      'extract',
      'configure',
      'compile',
      'verify',
      'install',
    ]);
    const vmlinux = readFileSync(first.vmlinux);
    expect(hasPvhEntry(vmlinux)).toBe(true);
    expect(statSync(first.vmlinux).size).toBe(first.manifest.sizeBytes);
    console.info(
      `[kernel build] ${first.manifest.release}: ${(first.durationMs / 60_000).toFixed(1)} min, ` +
        `${(first.manifest.sizeBytes / 2 ** 20).toFixed(1)} MiB vmlinux`,
    );
    const again = await buildFirecrackerKernel({ dataDir, env: process.env });
    expect(again.cached).toBe(true);
    expect(again.vmlinux).toBe(first.vmlinux);

    // It boots the guest image to its init: QEMU's microvm stands in for Firecracker (same
    // virtio-mmio devices found on the command line, PVH entry, no PCI, no ACPI).
    const image = await findVmImage(IMAGE_DATA_DIR).catch(() => null);
    if (!image) {
      console.warn(`[kernel build] no guest image in ${IMAGE_DATA_DIR}: the boot check is skipped`);
      return;
    }
    const console_ = await bootUnderMicrovm(first.vmlinux, image.rootfs);
    expect(console_, console_.slice(-2000)).toMatch(/Run \/sbin\/aether-init as init process/);
    expect(console_, console_.slice(-2000)).toMatch(/aether-init: up at [\d.]+ s, network none/);
  });
});

/** Boots `vmlinux` on `rootfs` (writes discarded) until the guest's init has spoken, or 3 min. */
function bootUnderMicrovm(vmlinux: string, rootfs: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const qemu = spawn(
      'qemu-system-x86_64',
      [
        '-M',
        'microvm,acpi=off',
        '-accel',
        'tcg',
        '-m',
        '256',
        '-smp',
        '1',
        '-nodefaults',
        '-no-user-config',
        '-nographic',
        '-no-reboot',
        '-serial',
        'stdio',
        '-kernel',
        vmlinux,
        '-append',
        'console=ttyS0 root=/dev/vda rw init=/sbin/aether-init panic=-1 aether.net=none',
        '-drive',
        `id=root,file=${rootfs},format=raw,if=none,snapshot=on`,
        '-device',
        'virtio-blk-device,drive=root',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const done = () => {
      qemu.kill('SIGKILL');
      resolve(out);
    };
    const timer = setTimeout(done, 180_000);
    qemu.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (/aether-init: up at/.test(out)) {
        clearTimeout(timer);
        done();
      }
    });
    qemu.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    qemu.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}
