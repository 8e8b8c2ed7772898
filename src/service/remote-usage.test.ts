import { describe, expect, it } from 'vitest';
import type { DataPlane } from '../core/data-plane.js';
import { silentLogger } from '../core/logger.js';
import { unknownUsage } from '../core/vm-usage.js';
import { listenDataPlane } from '../worker/data-plane/listener.js';
import { RemoteDataPlane } from './remote-data-plane.js';

const SECRET = 'x'.repeat(40);

describe('usage over the data plane', () => {
  it("reaches the owning worker's driver through its listener, dates intact", async () => {
    const sample = { ...unknownUsage(new Date('2030-01-02T03:04:05.678Z')), cpuSeconds: 1.25, processes: 4 };
    const asked: string[] = [];
    const plane = {
      usage: async (vm) => {
        asked.push(`${vm.driver}:${vm.id}`);
        return sample;
      },
    } as Partial<DataPlane> as DataPlane;
    const listener = await listenDataPlane(
      plane,
      { host: '127.0.0.1', port: 0, secret: SECRET },
      silentLogger,
    );
    try {
      const remote = new RemoteDataPlane(listener.url, SECRET);
      expect(await remote.usage({ id: 'vm-1', driver: 'process' })).toEqual(sample);
      expect(asked).toEqual(['process:vm-1']);
    } finally {
      await listener.close();
    }
  });
});
