/**
 * Resource limits seen from outside, on a real node with the process driver: `vm get` says each
 * limit is enforced, a command past the VM's memory ends with ERR_VM_OUT_OF_MEMORY through the
 * API and the CLI, and the VM runs the next command.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ALLOCATE_512_MIB } from '../../src/testing/conformance/drivers/fixtures.js';
import { useTestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';
import { isRoot, sandboxesAvailable } from '../support/sandboxes.js';

const canRun = (await sandboxesAvailable('process driver limits')) && isRoot;
if (!isRoot) console.warn('[skip] limits end to end: the process driver enforces limits only as root');
const node = useTestNode(canRun);
const VM = 'limits-vm';

beforeAll(async () => {
  if (canRun) await node().client.createVm({ name: VM, memory_mib: 256 }, { wait: true });
});

describe.skipIf(!canRun)('VM limits end to end', () => {
  it('shows every limit as enforced in vm get, human and JSON', async () => {
    const human = await runCli(node().url, ['vm', 'get', VM]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /limits\s+enforced: 1 vCPU, 256 MiB \(no swap\), 512 tasks, \/tmp 256 MiB, home 4096 MiB \(cgroup v[12]\)/,
    );
    const json = JSON.parse((await runCli(node().url, ['vm', 'get', VM, '--json'])).stdout);
    expect(json.isolation.limits).toMatchObject({ enforced: true, pids: 512, tmp_mib: 256, disk_mib: 4096 });
  });

  it('ends a command past the memory limit with ERR_VM_OUT_OF_MEMORY, and the VM runs the next one', async () => {
    const oom = await runCli(node().url, ['exec', VM, '--', 'sh', '-c', ALLOCATE_512_MIB]);
    expect(oom.code).not.toBe(0);
    expect(oom.stderr).toMatch(/ERR_VM_OUT_OF_MEMORY/);
    expect(oom.stderr).toMatch(/memory limit of 256 MiB/);
    const next = await runCli(node().url, ['exec', VM, '--', 'echo', 'alive']);
    expect(next).toMatchObject({ code: 0, stdout: 'alive\n' });
    expect((await node().client.getVm(VM)).status).toBe('running');
  });
});
