import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startTestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('end-to-end VM');

describe.skipIf(!canRun)('state survives a restart of aether up', () => {
  it('keeps VMs, their files and their history, and the worker picks the sandbox up again', async () => {
    const first = await startTestNode();
    const dataDir = first.dataDir;
    let second: Awaited<ReturnType<typeof startTestNode>> | null = null;
    try {
      const { vm } = await first.client.createVm({ name: 'survivor' }, { wait: true });
      await first.client.execute(
        'survivor',
        { command: 'sh', args: ['-c', 'echo kept > note'] },
        { wait: true },
      );
      // Stop the node only (not stop(), which deletes VMs): the sandbox keeps running.
      await first.node.close();

      second = await startTestNode({}, dataDir);
      const again = await second.client.getVm('survivor');
      expect(again).toMatchObject({ id: vm.id, status: 'running' });
      const read = await second.client.execute(
        'survivor',
        { command: 'cat', args: ['note'] },
        { wait: true },
      );
      expect(read.execution?.stdout).toBe('kept\n');
      expect(await second.client.listExecutions('survivor')).toHaveLength(2);
    } finally {
      if (second) await second.stop();
      else rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
