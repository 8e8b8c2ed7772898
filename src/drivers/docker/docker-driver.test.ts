import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { DOCKER_HOST, DOCKER_TEST_IMAGE, dockerAvailable } from '../../../test/support/backends.js';
import { isAetherError } from '../../core/errors.js';
import { describeDriverConformance } from '../../testing/conformance/drivers/driver-suite.js';
import { run, sh, VmFixtures } from '../../testing/conformance/drivers/fixtures.js';
import { createDockerDriver, type DockerDriver } from './docker-driver.js';

const available = await dockerAvailable();

describeDriverConformance(
  'docker',
  ({ stateDir }) =>
    createDockerDriver({
      stateDir,
      agentPath: inject('agentBundlePath'),
      dockerHost: DOCKER_HOST,
      defaultImage: DOCKER_TEST_IMAGE,
    }),
  {
    skipReason: available ? null : 'no Docker engine with the test image (see the line above)',
    enforcesLimits: 'memory-and-tasks',
    pauses: true,
    reportsUsage: true,
  },
);

describe.skipIf(!available)('docker driver specifics', () => {
  let stateDir = '';
  let driver: DockerDriver;
  const vms = new VmFixtures(
    'docker-specifics',
    () => driver,
    () => stateDir,
  );
  const docker = new Dockerode({ socketPath: DOCKER_HOST.replace(/^unix:\/\//, '') });

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'aether-docker-'));
    driver = createDockerDriver({
      stateDir,
      agentPath: inject('agentBundlePath'),
      dockerHost: DOCKER_HOST,
      defaultImage: DOCKER_TEST_IMAGE,
    });
  });
  afterEach(() => vms.cleanup());
  afterAll(async () => {
    await driver?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('confines the container: no capabilities, no new privileges, read-only root, limits, labels', async () => {
    const id = await vms.running('confined');
    const info = await docker.getContainer(`aether-${id}`).inspect();
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.Privileged).toBe(false);
    expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(1e9);
    expect(info.HostConfig.PidsLimit).toBeGreaterThan(0);
    expect(info.Config.Labels?.['org.aetherium.vm-id']).toBe(id);
    expect(info.Config.User).not.toMatch(/^0(:|$)/);
    const probe = await sh(driver, id, 'id -u; grep CapEff /proc/self/status; touch /etc/x 2>&1 || echo ro');
    expect(probe.stdout).toMatch(/^\d+\n/);
    expect(probe.stdout).not.toMatch(/^0\n/);
    expect(probe.stdout).toContain('CapEff:\t0000000000000000');
    expect(probe.stdout).toContain('ro\n');
    expect((await sh(driver, id, 'echo tmp > /tmp/t && cat /tmp/t')).stdout).toBe('tmp\n');
  });

  it('runs any local image, even one without Node: the agent comes from the host', async () => {
    const id = randomUUID();
    await driver.create({ id, name: 'empty-image', vcpus: 1, memoryMiB: 128, image: DOCKER_TEST_IMAGE });
    await driver.start(id);
    try {
      const r = await run(driver, id, ['sh', '-c', 'command -v node || echo "no node on PATH"']);
      expect(r.exitCode).toBe(0);
    } finally {
      await driver.destroy(id);
    }
  });

  it('names the command that builds a missing image', async () => {
    const error = await driver
      .create({
        id: randomUUID(),
        name: 'no-image',
        vcpus: 1,
        memoryMiB: 128,
        image: 'aetherium/absent:never',
      })
      .catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_IMAGE_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('aether image build --docker');
  });

  it('reports a command killed for memory as ERR_VM_OUT_OF_MEMORY; the VM keeps running', async () => {
    const id = randomUUID();
    await driver.create({ id, name: 'oom', vcpus: 1, memoryMiB: 128 });
    await driver.start(id);
    try {
      const error = await run(
        driver,
        id,
        // A 400 MB shell variable in a 128 MiB VM.
        ['sh', '-c', 'x=$(head -c 400000000 /dev/zero | tr "\\0" a); echo "$x" | wc -c'],
        {
          timeoutMs: 60_000,
        },
      ).catch((e: unknown) => e);
      expect(isAetherError(error, 'ERR_VM_OUT_OF_MEMORY'), String(error)).toBe(true);
      expect((await sh(driver, id, 'echo alive')).stdout).toBe('alive\n');
    } finally {
      await driver.destroy(id);
    }
  });

  it('says where the engine is not, without a stack trace', async () => {
    const offline = createDockerDriver({
      stateDir,
      agentPath: inject('agentBundlePath'),
      dockerHost: 'unix:///nonexistent/docker.sock',
    });
    const error = await offline
      .create({ id: randomUUID(), name: 'x', vcpus: 1, memoryMiB: 128 })
      .catch((e) => e);
    expect(isAetherError(error, 'ERR_ISOLATION_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('unix:///nonexistent/docker.sock');
    expect((await offline.health()).ok).toBe(false);
    await offline.close();
  });
});
