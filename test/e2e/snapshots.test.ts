/**
 * Snapshots through the whole platform: an embedded node running the qemu driver, driven over
 * REST. One source VM and one snapshot serve every case; boots are slow under emulation.
 */

import { AetherClient } from '@aetherium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_DATA_DIR, qemuAvailable } from '../support/backends.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';

const available = await qemuAvailable();

describe.skipIf(!available)('VM snapshots end to end (qemu)', { timeout: 600_000 }, () => {
  let node: TestNode;
  let alice: AetherClient;
  let bob: AetherClient;
  const timings: Record<string, number> = {};

  const run = async (client: AetherClient, vm: string, script: string) => {
    const done = await client.execute(vm, { command: 'sh', args: ['-c', script] }, { wait: true });
    expect(done.execution, JSON.stringify(done.execution)).toMatchObject({ exit_code: 0 });
    return done.execution!.stdout.trim();
  };

  beforeAll(async () => {
    node = await startTestNode({
      AETHER_DRIVERS: 'process,qemu',
      AETHER_IMAGE_DIR: IMAGE_DATA_DIR,
      AETHER_CREATE_TIMEOUT_MS: '300000',
    });
    const as = (token: string) => new AetherClient({ baseUrl: node.url, token });
    alice = as((await node.client.createKey({ name: 'alice', project: 'alice' })).secret);
    bob = as((await node.client.createKey({ name: 'bob', project: 'bob' })).secret);
  }, 120_000);

  afterAll(async () => {
    console.log(`[snapshots e2e] create → first exec: ${JSON.stringify(timings)}`);
    await node?.stop();
  });

  it('starts VMs from a snapshot of a running VM: same files and processes, own clock and name; the source runs on', async () => {
    const cold = performance.now();
    await alice.createVm({ name: 'source', driver: 'qemu' }, { wait: true });
    await run(alice, 'source', 'true');
    timings.coldMs = Math.round(performance.now() - cold);

    await run(
      alice,
      'source',
      "echo kept > /root/marker; setsid sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; sleep 1; done' </dev/null >/dev/null 2>&1 &",
    );
    const saved = await alice.snapshotVm('source', { wait: true });
    expect(saved.snapshot).toMatchObject({ status: 'ready', project: 'alice', driver: 'qemu', vcpus: 1 });
    expect(saved.snapshot.size_bytes).toBeGreaterThan(0);
    const snapshotId = saved.snapshot.id;
    expect(await alice.getSnapshot(snapshotId)).toEqual(saved.snapshot);

    for (const name of ['copy-one', 'copy-two']) {
      const started = performance.now();
      const made = await alice.createVm({ name, from_snapshot: snapshotId }, { wait: true });
      await run(alice, name, 'true');
      timings[name] = Math.round(performance.now() - started);
      expect(made.vm).toMatchObject({
        status: 'running',
        driver: 'qemu',
        worker_id: saved.snapshot.worker_id,
      });
      expect(await run(alice, name, 'cat /root/marker')).toBe('kept');
      expect(await run(alice, name, 'hostname')).toBe(name);
      const guestNow = Number(await run(alice, name, 'date +%s'));
      expect(Math.abs(guestNow - Date.now() / 1000)).toBeLessThan(5);
      const counted = Number(await run(alice, name, 'cat /tmp/counter'));
      expect(Number(await run(alice, name, 'sleep 2.5; cat /tmp/counter'))).toBeGreaterThan(counted);
    }
    const counted = Number(await run(alice, 'source', 'cat /tmp/counter'));
    expect(Number(await run(alice, 'source', 'sleep 2.5; cat /tmp/counter'))).toBeGreaterThan(counted);
    expect((await alice.getVm('source')).status).toBe('running');
    // Restoring is faster than booting (the boot of the source included its kernel and init).
    expect(timings['copy-one']).toBeLessThan(timings.coldMs!);

    // Another project sees neither the VM nor its snapshot, and cannot start VMs from it.
    const source = await alice.getVm('source');
    await expect(bob.snapshotVm(source.id)).rejects.toMatchObject({ status: 404, code: 'ERR_VM_NOT_FOUND' });
    await expect(bob.getSnapshot(snapshotId)).rejects.toMatchObject({
      status: 404,
      code: 'ERR_SNAPSHOT_NOT_FOUND',
    });
    await expect(bob.createVm({ name: 'stolen', from_snapshot: snapshotId })).rejects.toMatchObject({
      status: 404,
      code: 'ERR_SNAPSHOT_NOT_FOUND',
    });
    // The snapshot fixes the machine's shape.
    await expect(
      alice.createVm({ name: 'bigger', from_snapshot: snapshotId, memory_mib: 512 }),
    ).rejects.toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
  });

  it('`aether vm snapshot` and `aether vm create --from-snapshot` do the same from the CLI', async () => {
    const source = await alice.getVm('source');
    const saved = await runCli(node.url, ['vm', 'snapshot', source.id, '--json']);
    expect(saved.code, saved.stderr).toBe(0);
    const { snapshot } = JSON.parse(saved.stdout) as { snapshot: { id: string; status: string } };
    expect(snapshot.status).toBe('ready');
    const made = await runCli(node.url, ['vm', 'create', 'cli-copy', '--from-snapshot', snapshot.id]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/status\s+running/);
    // The copy belongs to the snapshot's project, whoever asked for it.
    expect(await run(alice, 'cli-copy', 'cat /root/marker; hostname')).toBe('kept\ncli-copy');
  });

  it('lists snapshots per project and VM, and deletes one only once no VM made from it is left', async () => {
    const source = await alice.getVm('source');
    const mine = await alice.listSnapshots();
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.every((s) => s.project === 'alice' && s.source_vm_id === source.id)).toBe(true);
    expect(await alice.listSnapshots({ vm: 'source' })).toEqual(mine);
    expect(await alice.listSnapshots({ status: 'ready,failed' })).toEqual(mine);
    expect(await alice.listSnapshots({ status: 'pending' })).toEqual([]);
    await expect(alice.listSnapshots({ status: 'bogus' })).rejects.toMatchObject({
      status: 400,
      code: 'ERR_VALIDATION',
    });
    expect(await bob.listSnapshots()).toEqual([]);
    await expect(bob.listSnapshots({ vm: source.id })).rejects.toMatchObject({ status: 404 });
    const [cliSnapshot, first] = mine; // newest first: the CLI's, then the first one

    // copy-one and copy-two read the first snapshot's disk.
    const refused = await alice.deleteSnapshot(first!.id).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 409, code: 'ERR_SNAPSHOT_IN_USE' });
    expect((refused as Error).message).toMatch(/copy-(one|two)/);
    await expect(bob.deleteSnapshot(first!.id)).rejects.toMatchObject({ status: 404 });
    expect((await alice.getSnapshot(first!.id)).status).toBe('ready');

    await alice.deleteVm('copy-one', { wait: true });
    await alice.deleteVm('copy-two', { wait: true });
    const deleted = await alice.deleteSnapshot(first!.id, { wait: true });
    expect(deleted.snapshot).toMatchObject({ id: first!.id, status: 'deleted' });
    expect(deleted.task).toMatchObject({ type: 'snapshot:delete', status: 'completed' });
    // Its files are gone from the worker's host (this node); the record stays as history.
    const { existsSync } = await import('node:fs');
    expect(existsSync(first!.state_path!)).toBe(false);
    expect((await alice.listSnapshots()).map((s) => s.id)).not.toContain(first!.id);
    expect((await alice.listSnapshots({ includeDeleted: true })).map((s) => s.id)).toContain(first!.id);
    await expect(alice.createVm({ name: 'late', from_snapshot: first!.id })).rejects.toMatchObject({
      status: 409,
      code: 'ERR_SNAPSHOT_NOT_READY',
    });
    await expect(alice.deleteSnapshot(first!.id)).rejects.toMatchObject({
      status: 409,
      code: 'ERR_INVALID_TRANSITION',
    });

    // The CLI: ls, then rm once cli-copy is gone.
    const listed = await runCli(node.url, ['snapshot', 'ls']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(cliSnapshot!.id);
    const inUse = await runCli(node.url, ['snapshot', 'rm', cliSnapshot!.id]);
    expect(inUse.code).not.toBe(0);
    expect(inUse.stderr).toMatch(/ERR_SNAPSHOT_IN_USE|in use/);
    await alice.deleteVm('cli-copy', { wait: true });
    const removed = await runCli(node.url, ['snapshot', 'rm', cliSnapshot!.id]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/status\s+deleted/);
  });

  it('refuses to snapshot a VM whose driver cannot, with a 400 naming the driver', async () => {
    await alice.createVm({ name: 'plain', driver: 'process' }, { wait: true });
    const refused = await alice.snapshotVm('plain').catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect((refused as Error).message).toMatch(/snapshots need the qemu or firecracker driver/);
  });
});
