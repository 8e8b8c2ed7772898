import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DOCKER_HOST, DOCKER_TEST_IMAGE, dockerAvailable } from '../../../test/support/backends.js';
import { isAetherError } from '../../core/errors.js';
import { run } from '../../testing/conformance/drivers/fixtures.js';
import { createDockerDriver, type DockerDriver } from './docker-driver.js';

const available = await dockerAvailable();

describe.skipIf(!available)('docker driver usage', () => {
  let stateDir = '';
  let driver: DockerDriver;

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'aether-docker-usage-'));
    driver = createDockerDriver({
      stateDir,
      agentPath: inject('agentBundlePath'),
      dockerHost: DOCKER_HOST,
      defaultImage: DOCKER_TEST_IMAGE,
    });
  });
  afterAll(async () => {
    await driver?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("reads the container's CPU time, memory and processes from the engine; they move under load", async () => {
    const id = randomUUID();
    await driver.create({ id, name: 'usage', vcpus: 1, memoryMiB: 256 });
    await driver.start(id);
    try {
      const before = await driver.usage!(id);
      expect(before).toMatchObject({ diskBytes: null });
      expect(before.processes).toBeGreaterThan(0);
      await run(driver, id, ['sh', '-c', 'i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done'], {
        timeoutMs: 60_000,
      });
      const after = await driver.usage!(id);
      expect(after.cpuSeconds!, `VM ${id}`).toBeGreaterThan(before.cpuSeconds! + 0.2);
      expect(after.memoryBytes).toBeGreaterThan(0);
    } finally {
      await driver.destroy(id);
    }
    const gone = await driver.usage!(id).catch((e: unknown) => e);
    expect(isAetherError(gone, 'ERR_VM_NOT_FOUND')).toBe(true);
  }, 90_000);
});
