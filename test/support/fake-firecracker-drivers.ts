/**
 * Test support: firecracker drivers whose VMM is the fake Firecracker (through the driver's
 * spawner): a real process per VM that takes the driver's command line, serves the API on the
 * socket the driver names, checks every request, and runs the real agent bundle as its guest.
 * `useFakeFirecrackerDrivers()` registers the hooks that make the stand-in binaries, kernel and
 * disk, and destroy every VM and driver a test made.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import type { VmSpec } from '../../src/core/driver.js';
import {
  createFirecrackerDriver,
  type FirecrackerDriver,
} from '../../src/drivers/firecracker/firecracker-driver.js';
import type { JailerOptions } from '../../src/drivers/firecracker/jailer.js';
import type { VmmSpawner } from '../../src/drivers/firecracker/settings.js';
import {
  FAKE_FIRECRACKER_ENV,
  type FakeProcessOptions,
} from '../../src/testing/fakes/firecracker/fake-process-options.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const FAKE_MAIN = fileURLToPath(
  new URL('../../src/testing/fakes/firecracker/fake-firecracker-main.ts', import.meta.url),
);

/** Starts the fake in place of whatever binary the driver chose, with the driver's own argv. */
function fakeSpawner(options: FakeProcessOptions, spawned: ChildProcess[] = []): VmmSpawner {
  return (launch) => {
    const child = spawn(process.execPath, ['--import', TSX, FAKE_MAIN, ...launch.args], {
      detached: true,
      stdio: ['ignore', launch.outputFd, launch.outputFd],
      cwd: launch.cwd,
      env: { ...launch.env, [FAKE_FIRECRACKER_ENV]: JSON.stringify(options) },
    });
    spawned.push(child);
    return child;
  };
}

export interface FakeDriverExtra {
  stateDir?: string;
  jailer?: JailerOptions;
  bootTimeoutMs?: number;
  spawned?: ChildProcess[];
}

export interface FakeDrivers {
  /** The test file's scratch directory (binaries, kernel, disk image, state dirs). */
  readonly dir: string;
  /** A stand-in `jailer` binary (the fake is what runs). */
  readonly jailerBinary: string;
  makeDriver(
    options?: FakeProcessOptions,
    extra?: FakeDriverExtra,
  ): { driver: FirecrackerDriver; stateDir: string };
  /** Creates a VM (1 vCPU, 256 MiB unless `spec` says otherwise), destroyed after the test. */
  created(driver: FirecrackerDriver, spec?: Partial<VmSpec>): Promise<string>;
  /** Destroys `id` with `driver` after the test (a VM made some other way). */
  track(driver: FirecrackerDriver, id: string): void;
}

export function useFakeFirecrackerDrivers(): FakeDrivers {
  let dir = '';
  let firecrackerBinary = '';
  let kernel = '';
  let rootfs = '';
  const drivers: FirecrackerDriver[] = [];
  const vms: { driver: FirecrackerDriver; id: string }[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aether-fcdrv-'));
    for (const name of ['firecracker', 'jailer']) {
      writeFileSync(join(dir, name), '#!/bin/sh\nexit 1\n');
      chmodSync(join(dir, name), 0o755);
    }
    firecrackerBinary = join(dir, 'firecracker');
    kernel = join(dir, 'vmlinux');
    writeFileSync(kernel, Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(4096)]), {
      mode: 0o644,
    });
    rootfs = join(dir, 'rootfs.ext4');
    writeFileSync(rootfs, Buffer.alloc(64 * 1024));
  });
  afterEach(async () => {
    for (const { driver, id } of vms.splice(0)) await driver.destroy(id).catch(() => {});
    for (const driver of drivers.splice(0)) await driver.close();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const fixture: FakeDrivers = {
    get dir() {
      return dir;
    },
    get jailerBinary() {
      return join(dir, 'jailer');
    },
    makeDriver(options = {}, extra = {}) {
      const stateDir = extra.stateDir ?? mkdtempSync(join(dir, 's-'));
      const driver = createFirecrackerDriver(
        {
          stateDir,
          firecrackerBinary,
          kernel,
          image: async () => ({ id: 'test-image', rootfs }),
          jailer: extra.jailer ?? null,
          // Each fake VMM is a Node process loading TypeScript: seconds on a loaded machine.
          apiTimeoutMs: 20_000,
          bootTimeoutMs: extra.bootTimeoutMs ?? 40_000,
          stopGraceMs: 5_000,
        },
        {
          spawner: fakeSpawner(
            { agentBundle: inject('agentBundlePath'), bootDelayMs: 50, ...options },
            extra.spawned,
          ),
        },
      );
      drivers.push(driver);
      return { driver, stateDir };
    },
    async created(driver, spec = {}) {
      const id = spec.id ?? crypto.randomUUID();
      vms.push({ driver, id });
      await driver.create({ id, name: 'fc-test', vcpus: 1, memoryMiB: 256, ...spec });
      return id;
    },
    track(driver, id) {
      vms.push({ driver, id });
    },
  };
  return fixture;
}
