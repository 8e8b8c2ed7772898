/**
 * `aether cp` through the real CLI on the docker and qemu drivers, each behind its own embedded
 * node: a directory tree comes back byte-identical with its modes and symlinks, and a VM's
 * symlinks (to its `/`, or to a host path) never bring back the host's files. The process
 * driver has the same checks and more in cli-files.test.ts; a cluster in data-plane-cluster.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_TEST_IMAGE, dockerAvailable, IMAGE_DATA_DIR, qemuAvailable } from '../support/backends.js';
import {
  type AetherCli,
  type EscapeOptions,
  expectNoSymlinkEscape,
  expectTreeRoundTrip,
} from '../support/cli-copy-cases.js';
import { type TestNode, useTestNode } from '../support/embedded-node.js';
import type { TreeOptions } from '../support/file-tree.js';
import { runCli } from '../support/run-cli.js';

const dockerReady = await dockerAvailable();
const qemuReady = await qemuAvailable();

interface DriverCase {
  driver: 'docker' | 'qemu';
  ready: boolean;
  env: Record<string, string>;
  /** The tree to copy: smaller where a guest under software emulation moves bytes slowly. */
  tree: TreeOptions;
  symlinkEscape: EscapeOptions;
  bootTimeoutMs: number;
}

const cases: DriverCase[] = [
  {
    driver: 'docker',
    ready: dockerReady,
    env: { AETHER_DRIVER: 'docker', AETHER_DRIVERS: 'docker', AETHER_DOCKER_IMAGE: DOCKER_TEST_IMAGE },
    tree: {},
    // Commands run as an unprivileged user: the container's /etc/shadow is out of reach too.
    symlinkEscape: {},
    bootTimeoutMs: 60_000,
  },
  {
    driver: 'qemu',
    ready: qemuReady,
    env: {
      AETHER_DRIVER: 'qemu',
      AETHER_DRIVERS: 'qemu',
      AETHER_IMAGE_DIR: IMAGE_DATA_DIR,
      AETHER_CREATE_TIMEOUT_MS: '120000',
    },
    tree: { dataBytes: 40_000, deepBytes: 300_000 + 17 },
    // The agent and commands are root in the guest: its /etc/shadow is its own to hand out.
    symlinkEscape: { guestRootOwnsShadow: true },
    bootTimeoutMs: 150_000,
  },
];

for (const { driver, ready, env, tree, symlinkEscape, bootTimeoutMs } of cases) {
  describe.skipIf(!ready)(`aether cp on the ${driver} driver`, () => {
    const node: () => TestNode = useTestNode(ready, env);
    const vm = `cp-${driver}`;
    const aether: AetherCli = (...args) => runCli(node().url, args);
    let scratch = '';

    beforeAll(async () => {
      scratch = mkdtempSync(path.join(os.tmpdir(), `aether-cp-${driver}-`));
      const created = await aether('vm', 'create', vm);
      expect(created.code, created.stderr).toBe(0);
      expect((await node().client.getVm(vm)).driver).toBe(driver);
    }, bootTimeoutMs);
    afterAll(() => {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    it('round-trips a directory tree byte-identical, with modes and symlinks', async () => {
      await expectTreeRoundTrip(aether, vm, scratch, { ...tree, remoteDir: 'work/tree' });
    }, 90_000);

    it('does not hand out host files through symlinks in the VM', async () => {
      await expectNoSymlinkEscape(aether, vm, scratch, symlinkEscape);
    }, 90_000);
  });
}
