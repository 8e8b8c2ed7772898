/**
 * The conformance case of a driver that reports usage: its figures move under load (CPU time
 * grows with a busy loop, disk use with a written file) and are never negative. Registered for
 * drivers whose test file declares `reportsUsage`.
 */
import { expect, it } from 'vitest';
import { sh } from './fixtures.js';
import type { DriverSuiteContext } from './suite-driver.js';

export function defineDriverUsageCases(ctx: DriverSuiteContext): void {
  const { vms } = ctx;

  it('reports usage that moves under load', async () => {
    const driver = ctx.driver();
    const id = await vms.running('usage');
    const before = await driver.usage!(id);
    await sh(
      driver,
      id,
      'i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done; head -c 33554432 /dev/zero > usage.bin; sync',
      {
        timeoutMs: 120_000,
      },
    );
    const after = await driver.usage!(id);
    expect(after.cpuSeconds).not.toBeNull();
    expect(after.cpuSeconds!).toBeGreaterThan(before.cpuSeconds ?? 0);
    expect(after.memoryBytes).toBeGreaterThan(0);
    expect(after.processes).toBeGreaterThan(0);
    if (after.diskBytes !== null)
      expect(after.diskBytes - (before.diskBytes ?? 0)).toBeGreaterThan(30 * 1024 * 1024);
    expect(after.sampledAt.getTime()).toBeGreaterThanOrEqual(before.sampledAt.getTime());
  });
}
