/**
 * The driver conformance suite on a real Firecracker under KVM. It runs where the host has both
 * (`AETHER_FIRECRACKER_BIN`, `AETHER_KERNEL`, a microVM image in TEST_IMAGE_DATA_DIR; with
 * `AETHER_JAILER_BIN`, as root, under the jailer) and is skipped, saying why, everywhere else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firecrackerTestHost, IMAGE_DATA_DIR } from '../../../test/support/backends.js';
import type { VmSpec } from '../../core/driver.js';
import { findVmImage } from '../../images/index.js';
import { describeDriverConformance } from '../../testing/conformance/drivers/driver-suite.js';
import { createFirecrackerDriver } from './firecracker-driver.js';

const host = await firecrackerTestHost();

describeDriverConformance(
  'firecracker',
  ({ stateDir }) =>
    createFirecrackerDriver({
      stateDir,
      firecrackerBinary: host.binary,
      kernel: host.kernel,
      image: async () => {
        const image = await findVmImage(IMAGE_DATA_DIR);
        return { id: image.id, rootfs: image.rootfs };
      },
      jailer: host.jailer
        ? { binary: host.jailer, chrootBaseDir: join(stateDir, 'jailer'), uidBase: 900_000 }
        : null,
    }),
  {
    skipReason: host.reason,
    testTimeoutMs: 120_000,
    pauses: true,
    hibernates: true,
    enforcesLimits: 'memory',
    reportsUsage: true,
  },
);

/**
 * Snapshots on a real Firecracker: what the fake cannot show (guest memory and processes carried
 * into the copies, the clock resynced). Same host requirements as the suite above.
 */
if (host.reason) console.warn(`[skip] firecracker snapshots on a real Firecracker: ${host.reason}`);
describe.skipIf(host.reason !== null)(
  'firecracker snapshots (real Firecracker)',
  { timeout: 300_000 },
  () => {
    // Made only where the cases run: a skipped block's afterAll never removes it.
    const stateDir = host.reason ? '/nonexistent/skipped' : mkdtempSync(join(tmpdir(), 'afs-'));
    const driver = createFirecrackerDriver({
      stateDir,
      firecrackerBinary: host.binary,
      kernel: host.kernel,
      image: async () => {
        const image = await findVmImage(IMAGE_DATA_DIR);
        return { id: image.id, rootfs: image.rootfs };
      },
      jailer: host.jailer
        ? { binary: host.jailer, chrootBaseDir: join(stateDir, 'jailer'), uidBase: 900_000 }
        : null,
    });
    const spec = (id: string, name: string): VmSpec => ({ id, name, vcpus: 1, memoryMiB: 256 });
    const run = async (id: string, script: string): Promise<string> => {
      let out = '';
      const result = await driver.exec(
        id,
        { argv: ['sh', '-c', script], timeoutMs: 30_000 },
        {
          onStdout: (chunk) => {
            out += new TextDecoder().decode(chunk);
          },
        },
      );
      expect(result.exitCode, `${script} in ${id}: ${out}`).toBe(0);
      return out.trim();
    };

    afterAll(async () => {
      for (const id of ['fsrc', 'fr1', 'fr2']) await driver.destroy(id).catch(() => {});
      await driver.deleteSnapshot('fsnap').catch(() => {});
      await driver.close();
      rmSync(stateDir, { recursive: true, force: true });
    });

    it('restores two VMs that keep the source memory, processes and files, with their own clock, name and disk', async () => {
      await driver.create(spec('fsrc', 'source'));
      await driver.start('fsrc');
      await run('fsrc', 'echo kept > /root/marker');
      await run(
        'fsrc',
        "setsid sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; sleep 1; done' </dev/null >/dev/null 2>&1 &",
      );
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const info = await driver.snapshot('fsrc', 'fsnap');
      expect(info).toMatchObject({ id: 'fsnap', sourceVmId: 'fsrc', vcpus: 1, memoryMiB: 256 });
      expect(await run('fsrc', 'cat /root/marker')).toBe('kept'); // resumed, agent reached again

      for (const [id, name] of [
        ['fr1', 'restored-one'],
        ['fr2', 'restored-two'],
      ] as const) {
        const started = performance.now();
        await driver.createFromSnapshot(spec(id, name), 'fsnap');
        console.log(
          `[firecracker snapshots] ${id}: restore to running in ${Math.round(performance.now() - started)} ms`,
        );
        expect(await run(id, 'cat /root/marker')).toBe('kept');
        expect(await run(id, 'hostname')).toBe(name);
        expect(Math.abs(Number(await run(id, 'date +%s')) - Date.now() / 1000)).toBeLessThan(5);
        const counted = Number(await run(id, 'cat /tmp/counter'));
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        expect(Number(await run(id, 'cat /tmp/counter'))).toBeGreaterThan(counted);
      }
      await run('fr1', 'echo one > /root/marker');
      expect(await run('fr2', 'cat /root/marker')).toBe('kept');
      expect(await run('fsrc', 'cat /root/marker')).toBe('kept');
      await driver.deleteSnapshot('fsnap');
      expect(await run('fr2', 'cat /root/marker')).toBe('kept'); // its memory file is its own link
    });
  },
);
