import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_HOST, DOCKER_TEST_IMAGE, dockerAvailable } from '../support/backends.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';

const available = await dockerAvailable();

describe.skipIf(!available)('VM health checks (docker driver)', () => {
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

  it('fails a VM whose container is killed -9 from the host within 10 s, with reason sandbox_exited', async () => {
    const { vm } = await node.client.createVm(
      { name: 'health-docker-kill', driver: 'docker' },
      { wait: true },
    );
    const [container] = await containersOf(vm.id);
    expect(container, `VM ${vm.id}`).toBeDefined();
    const since = Date.now();
    await docker.getContainer(container!.Id).kill({ signal: 'SIGKILL' });
    let after = await node.client.getVm(vm.id);
    while (after.status === 'running' && Date.now() - since < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await node.client.getVm(vm.id);
    }
    expect(after.status, `VM ${vm.id}`).toBe('failed');
    expect(after.status_reason).toMatch(/^sandbox_exited: .*exit code 137/);
    expect(Date.now() - since).toBeLessThan(10_000);
    const [left] = await containersOf(vm.id);
    expect(left?.State).not.toBe('running');
    await node.client.deleteVm(vm.id, { wait: true });
    expect(await containersOf(vm.id)).toEqual([]);
  }, 60_000);
});
