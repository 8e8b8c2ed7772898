/**
 * `sandbox.snapshot()` and `Sandbox.create({ fromSnapshot })` on a real embedded node running
 * the qemu driver: a copy started from a snapshot has the files its source had. Alone in its
 * file: booting a guest is slow.
 */
import { Sandbox } from '@aetherium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_DATA_DIR, qemuAvailable } from '../../../test/support/backends.js';
import { startTestNode, type TestNode } from '../../../test/support/embedded-node.js';

// Prints why it skips when QEMU or the guest image is missing (a failure under CI=true).
const available = await qemuAvailable();

describe.skipIf(!available)('Sandbox snapshots (embedded node, qemu)', { timeout: 300_000 }, () => {
  let node: TestNode;
  const made: Sandbox[] = [];

  beforeAll(async () => {
    node = await startTestNode({
      AETHER_DRIVERS: 'process,qemu',
      AETHER_IMAGE_DIR: IMAGE_DATA_DIR,
      AETHER_CREATE_TIMEOUT_MS: '300000',
      // Every `?wait=true` ends at once (504 ERR_WAIT_TIMEOUT, the task goes on), as a wait
      // shorter than a boot or a snapshot would: the SDK must follow each task to its end itself.
      AETHER_WAIT_TIMEOUT_MS: '1',
    });
  }, 120_000);

  afterAll(async () => {
    for (const sandbox of made) await sandbox.kill().catch(() => {});
    await node?.stop();
  });

  it('starts a sandbox from a snapshot with the files its source had', async () => {
    const connection = { apiUrl: node.url, apiKey: node.node.localAdminKey! };
    const source = await Sandbox.create({ ...connection, driver: 'qemu' });
    made.push(source);
    expect(source.info).toMatchObject({ driver: 'qemu', status: 'running' });
    const marker = `kept ${Date.now()}\n`;
    await source.files.write('/root/marker.txt', marker);

    const snapshot = await source.snapshot();
    expect(snapshot).toMatchObject({ status: 'ready', driver: 'qemu', source_vm_id: source.id });

    const copy = await Sandbox.create({ ...connection, fromSnapshot: snapshot.id });
    made.push(copy);
    expect(copy.id).not.toBe(source.id);
    expect(copy.info).toMatchObject({ driver: 'qemu', status: 'running' });
    expect(await copy.files.read('/root/marker.txt')).toBe(marker);
    expect((await copy.commands.run('hostname')).stdout.trim()).toBe(copy.name);
    // The source runs on, unchanged.
    expect(await source.files.read('/root/marker.txt')).toBe(marker);
  });
});
