/**
 * The process driver's own exec, with nothing of Aetherium around it: one sandbox booted in this
 * process, `true` run in it `calls` times through the agent. What a worker adds to a round trip
 * on top of the queue and the store.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createProcessDriver } from '../src/drivers/process/index.js';
import { agentBundlePath } from '../src/runtime/paths.js';
import { timeIt } from './stats.js';

export async function driverExecSamples(calls: number): Promise<number[]> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'aether-bench-driver-'));
  // Reachable by the unprivileged sandbox uid when the bench runs as root.
  chmodSync(stateDir, 0o711);
  const driver = createProcessDriver({ stateDir, agentPath: agentBundlePath(), warmPoolSize: 0 });
  const id = `bench-${randomBytes(6).toString('hex')}`;
  const exec = async () => {
    const result = await driver.exec(id, { argv: ['true'], timeoutMs: 10_000 });
    if (result.exitCode !== 0) throw new Error(`driver exec failed: ${JSON.stringify(result)}`);
  };
  try {
    await driver.create({ id, name: id, vcpus: 1, memoryMiB: 256 });
    await driver.start(id);
    for (let i = 0; i < 20; i++) await exec();
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) samples.push(await timeIt(exec));
    return samples;
  } finally {
    await driver.destroy(id).catch(() => {});
    await driver.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
