/**
 * A running worker destroys, every reconcile interval, sandboxes that no VM of its own wants:
 * not only when it starts. The case from a crash mid-create: the create ran again on another
 * worker, so the store places the VM there, and this worker's half-made sandbox must go.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SYSTEM_ACCESS } from '../../src/core/principal.js';
import { vmSandboxesOf } from '../fault/create-under-kill.js';
import { useTestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('orphaned sandbox sweep');

describe.skipIf(!canRun)('the periodic sweep of orphaned sandboxes', () => {
  const testNode = useTestNode(canRun, {
    AETHER_RECONCILE_INTERVAL_MS: '300',
    AETHER_WARM_POOL_SIZE: '0',
    AETHER_WORKER_ID: 'w-here',
  });

  it('destroys a sandbox whose VM the store places on another worker, and keeps the rest', async () => {
    const { client, node, dataDir } = testNode();
    const sandboxes = () => vmSandboxesOf(() => dataDir, ['w-here']).map((found) => found.vmId);
    const { vm: moved } = await client.createVm({ name: 'moved' }, { wait: true });
    const { vm: kept } = await client.createVm({ name: 'kept' }, { wait: true });
    expect(sandboxes().sort()).toEqual([moved.id, kept.id].sort());

    // What the store says after the create ran again on another worker.
    await node.backends.store.updateVm(moved.id, { workerId: 'w-elsewhere' });
    const deadline = Date.now() + 5_000;
    while (sandboxes().includes(moved.id) && Date.now() < deadline) await sleep(100);
    expect(sandboxes()).toEqual([kept.id]);
    // The VM this worker holds still answers; the moved one is the other worker's business.
    const ran = await client.execute('kept', { command: 'true' }, { wait: true });
    expect(ran.execution?.exit_code).toBe(0);
    // Back here, so the node's stop deletes it like any other.
    await node.backends.store.updateVm(moved.id, { workerId: 'w-here' });
    const deleting = await node.services.vms.delete(SYSTEM_ACCESS, moved.id);
    await node.services.tasks.wait(deleting.task.id, 30_000);
  });
});
