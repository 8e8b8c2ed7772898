import { describe, expect, it } from 'vitest';
import { startTestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('end-to-end VM');

describe.skipIf(!canRun)(
  'embedded mode with BullMQ on the embedded database (AETHER_EMBEDDED_QUEUE=bullmq)',
  () => {
    it('creates, executes and deletes through the same API', async () => {
      const t = await startTestNode({ AETHER_EMBEDDED_QUEUE: 'bullmq' });
      try {
        expect((await t.client.ready()).components.queue?.message).toBe('bullmq-pglite');
        await t.client.createVm({ name: 'bq' }, { wait: true });
        const res = await t.client.execute(
          'bq',
          { command: 'sh', args: ['-c', 'echo via bullmq'] },
          { wait: true },
        );
        expect(res.execution).toMatchObject({ exit_code: 0, stdout: 'via bullmq\n' });
        const deleted = await t.client.deleteVm('bq', { wait: true });
        expect(deleted.vm.status).toBe('deleted');
      } finally {
        await t.stop();
      }
    }, 60_000);
  },
);
