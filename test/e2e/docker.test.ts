import { AetherApiError } from '@aetherium/sdk';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_HOST, DOCKER_TEST_IMAGE, dockerAvailable } from '../support/backends.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';

const available = await dockerAvailable();

describe.skipIf(!available)('docker VMs end to end over REST', () => {
  let node: TestNode;
  const docker = new Dockerode({ socketPath: DOCKER_HOST.replace(/^unix:\/\//, '') });
  const containersOf = async (vmId: string) =>
    docker.listContainers({ all: true, filters: { label: [`org.aetherium.vm-id=${vmId}`] } });

  beforeAll(async () => {
    node = await startTestNode({ AETHER_DRIVERS: 'process,docker', AETHER_DOCKER_IMAGE: DOCKER_TEST_IMAGE });
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
  });

  it('creates a container VM beside process VMs, runs commands with persistent files, deletes it', async () => {
    const created = await node.client.createVm({ name: 'e2e-docker', driver: 'docker' }, { wait: true });
    expect(created.vm).toMatchObject({ status: 'running', driver: 'docker' });
    expect(created.vm.isolation).toMatchObject({ level: 'container', kernel: 'shared' });
    expect(await containersOf(created.vm.id)).toHaveLength(1);

    const write = await node.client.execute(
      'e2e-docker',
      { command: 'sh', args: ['-c', 'echo kept > f && cat f && id -u'] },
      { wait: true },
    );
    expect(write.execution).toMatchObject({ exit_code: 0 });
    expect(write.execution?.stdout).toMatch(/^kept\n\d+\n$/);
    const read = await node.client.execute('e2e-docker', { command: 'cat', args: ['f'] }, { wait: true });
    expect(read.execution?.stdout).toBe('kept\n');

    const plain = await node.client.createVm({ name: 'e2e-process' }, { wait: true });
    expect(plain.vm.driver).toBe('process');

    await node.client.deleteVm('e2e-docker', { wait: true });
    await node.client.deleteVm('e2e-process', { wait: true });
    expect(await containersOf(created.vm.id)).toEqual([]);
  });

  it('boots the image a request names, with outbound network when asked', async () => {
    const created = await node.client.createVm(
      { name: 'e2e-docker-net', driver: 'docker', image: DOCKER_TEST_IMAGE, network: true },
      { wait: true },
    );
    expect(created.vm).toMatchObject({ status: 'running', image: DOCKER_TEST_IMAGE, network: true });
    const interfaces = await node.client.execute(
      'e2e-docker-net',
      { command: 'sh', args: ['-c', "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort"] },
      { wait: true },
    );
    expect(interfaces.execution?.stdout).toBe('eth0\nlo\n');
    await node.client.deleteVm(created.vm.id, { wait: true });
  });

  it('fails a create whose image is missing with ERR_IMAGE_NOT_FOUND, naming the build command', async () => {
    const error = await node.client
      .createVm({ name: 'e2e-docker-noimage', driver: 'docker', image: 'aetherium/absent:1' }, { wait: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AetherApiError);
    expect((error as AetherApiError).code).toBe('ERR_IMAGE_NOT_FOUND');
    expect((error as AetherApiError).message).toContain('aether image build --docker');
    const vm = await node.client.getVm('e2e-docker-noimage');
    expect(vm.status).toBe('failed');
    expect(await containersOf(vm.id)).toEqual([]);
    await node.client.deleteVm(vm.id, { wait: true });
  });

  it('marks the VM failed, with the reason, when its container dies under a command', async () => {
    const created = await node.client.createVm({ name: 'e2e-docker-dies', driver: 'docker' }, { wait: true });
    // The command's parent is the agent: killing it ends the container (tini exits with it).
    const res = await node.client
      .execute('e2e-docker-dies', { command: 'sh', args: ['-c', 'kill -9 $PPID; sleep 5'] }, { wait: true })
      .catch((error: unknown) => error);
    expect(res).toBeInstanceOf(AetherApiError);
    expect((res as AetherApiError).code).toBe('ERR_DRIVER_FAILED');
    const vm = await node.client.getVm(created.vm.id);
    expect(vm.status).toBe('failed');
    expect(vm.status_reason).toMatch(/^container_exited: /);
    await node.client.deleteVm(created.vm.id, { wait: true });
    expect(await containersOf(created.vm.id)).toEqual([]);
  });
});
