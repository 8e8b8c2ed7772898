/**
 * Snapshots on real QEMU microVMs: one source VM, one snapshot, two VMs restored from it. Under
 * software emulation a cold boot takes tens of seconds here, so the VMs are shared by the cases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_DATA_DIR, qemuAvailable } from '../../../test/support/backends.js';
import type { VmSpec } from '../../core/driver.js';
import { findVmImage } from '../../images/index.js';
import { createQemuDriver, type QemuDriver } from './qemu-driver.js';

const available = await qemuAvailable();

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function run(driver: QemuDriver, id: string, argv: string[]): Promise<string> {
  let out = '';
  const result = await driver.exec(
    id,
    { argv, timeoutMs: 30_000 },
    {
      onStdout: (chunk) => {
        out += text(chunk);
      },
    },
  );
  expect(result.exitCode, `${argv.join(' ')} in ${id}: ${out}`).toBe(0);
  return out.trim();
}

/** Guest clock minus host clock, in seconds. */
async function clockSkewS(driver: QemuDriver, id: string): Promise<number> {
  const guest = Number(await run(driver, id, ['date', '+%s']));
  return guest - Date.now() / 1000;
}

describe.skipIf(!available)('qemu snapshots', { timeout: 600_000 }, () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'aq-'));
  const driver = createQemuDriver({
    stateDir,
    image: () => findVmImage(IMAGE_DATA_DIR),
    bootTimeoutMs: 180_000,
  });
  const spec = (id: string, name: string): VmSpec => ({ id, name, vcpus: 1, memoryMiB: 256 });
  const ids = ['src', 'r1', 'r2', 'cold'];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const started = performance.now();
    await driver.create(spec('src', 'source'));
    await driver.start('src');
    await run(driver, 'src', ['true']);
    timings.coldCreateToFirstExecMs = performance.now() - started;
  }, 300_000);

  afterAll(async () => {
    console.log(`[qemu snapshots] timings: ${JSON.stringify(timings)}`);
    for (const id of ids) await driver.destroy(id).catch(() => {});
    await driver.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('restores two VMs that keep the files, processes and memory of the source, with their own clock and name', async () => {
    await run(driver, 'src', ['sh', '-c', 'echo kept > /root/marker']);
    // A process that lives on in memory: counts once a second into a file.
    await run(driver, 'src', [
      'sh',
      '-c',
      "setsid sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; sleep 1; done' </dev/null >/dev/null 2>&1 &",
    ]);
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const info = await driver.snapshot('src', 'snap1');
    expect(info).toMatchObject({ id: 'snap1', sourceVmId: 'src', vcpus: 1, memoryMiB: 256 });
    expect(info.sizeBytes).toBeGreaterThan(0);
    timings.snapshotMs = info.durationMs;
    // Saving again under the same id returns the finished snapshot.
    expect((await driver.snapshot('src', 'snap1')).path).toBe(info.path);

    // The source runs on and its counter still moves.
    const before = Number(await run(driver, 'src', ['cat', '/tmp/counter']));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(Number(await run(driver, 'src', ['cat', '/tmp/counter']))).toBeGreaterThan(before);

    for (const [id, name] of [
      ['r1', 'restored-one'],
      ['r2', 'restored-two'],
    ] as const) {
      const started = performance.now();
      await driver.createFromSnapshot(spec(id, name), 'snap1');
      await run(driver, id, ['true']);
      timings[`${id}RestoreToFirstExecMs`] = performance.now() - started;
      expect((await driver.status(id)).state).toBe('running');
      expect(await run(driver, id, ['cat', '/root/marker'])).toBe('kept');
      expect(await run(driver, id, ['hostname'])).toBe(name);
      expect(Math.abs(await clockSkewS(driver, id))).toBeLessThan(5);
      // The counter came along in memory and counts on in the copy.
      const counted = Number(await run(driver, id, ['cat', '/tmp/counter']));
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(Number(await run(driver, id, ['cat', '/tmp/counter']))).toBeGreaterThan(counted);
    }
    // Copies write to their own disks.
    await run(driver, 'r1', ['sh', '-c', 'echo one > /root/marker']);
    expect(await run(driver, 'r2', ['cat', '/root/marker'])).toBe('kept');
    expect(await run(driver, 'src', ['cat', '/root/marker'])).toBe('kept');
    expect(await run(driver, 'src', ['hostname'])).toBe('aether');
  });

  it('refuses a snapshot it does not hold and a machine shape that differs', async () => {
    await expect(driver.createFromSnapshot(spec('cold', 'x'), 'nope')).rejects.toMatchObject({
      code: 'ERR_SNAPSHOT_NOT_FOUND',
    });
    await expect(
      driver.createFromSnapshot({ ...spec('cold', 'x'), memoryMiB: 512 }, 'snap1'),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    expect((await driver.status('cold')).state).toBe('missing');
  });
});
