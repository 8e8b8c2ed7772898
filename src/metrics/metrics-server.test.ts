import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { startMetricsServer } from './metrics-server.js';

describe('the metrics listener', () => {
  it('closes while a client holds a connection it has sent nothing on', async () => {
    const server = await startMetricsServer(new Registry(), { host: '127.0.0.1', port: 0 }, silentLogger);
    const spare = net.connect({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
    try {
      await once(spare, 'connect');
      const closing = server.close().then(() => 'closed');
      expect(await Promise.race([closing, sleep(3_000).then(() => 'still waiting')])).toBe('closed');
    } finally {
      spare.destroy();
      await server.close().catch(() => {});
    }
  });
});
