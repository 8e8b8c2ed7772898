/**
 * Firecracker snapshots through the driver, with the fake Firecracker as the VMM: it writes and
 * reads its own snapshot files, holds the pause/create/load rules, reopens the disk and vsock at
 * the paths the snapshot recorded, resets vsock connections on a save, and keeps the guest's
 * files as its "memory". What only a real Firecracker shows (guest memory and processes carried
 * over, the guest clock) is in the real-Firecracker suite (firecracker-driver.test.ts).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFakeFirecrackerDrivers } from '../../../test/support/fake-firecracker-drivers.js';
import type { VmSpec } from '../../core/driver.js';
import { isAetherError } from '../../core/errors.js';
import { hostProcessesMatching, sh, writeBytes } from '../../testing/conformance/drivers/fixtures.js';
import { FirecrackerApi } from './api-client.js';
import type { FirecrackerDriver } from './firecracker-driver.js';

const isRoot = process.getuid?.() === 0;
const rootOnly =
  'restoring sets the guest clock and hostname through the agent, which the fake guest (a host process in a UTS namespace of its own) can do only as root';
if (!isRoot) console.warn(`[skip] firecracker snapshot restores over the fake: ${rootOnly}`);

const fake = useFakeFirecrackerDrivers();

const spec = (id: string, name: string, shape: Partial<VmSpec> = {}): VmSpec => ({
  id,
  name,
  vcpus: 1,
  memoryMiB: 256,
  ...shape,
});

async function restored(driver: FirecrackerDriver, s: VmSpec, snapshotId: string): Promise<string> {
  fake.track(driver, s.id);
  await driver.createFromSnapshot(s, snapshotId);
  return s.id;
}

const out = async (driver: FirecrackerDriver, id: string, script: string) => {
  const r = await sh(driver, id, script);
  expect(r.exitCode, `${script} in ${id}: ${r.stderr}`).toBe(0);
  return r.stdout.trim();
};

describe('firecracker snapshots over the fake Firecracker', () => {
  it.skipIf(!isRoot)(
    'snapshots a running VM, restores two VMs that run on their own, and deletes the snapshot under them',
    async () => {
      const { driver, stateDir } = fake.makeDriver();
      const source = await fake.created(driver, { id: 'src', name: 'source' });
      await driver.start(source);
      await writeBytes(driver.files, source, 'before.txt', 'kept');
      const sourceApi = new FirecrackerApi(join(stateDir, 'v', source, 'api.sock'));

      const info = await driver.snapshot(source, 'snap1');
      expect(info).toMatchObject({
        id: 'snap1',
        sourceVmId: source,
        vcpus: 1,
        memoryMiB: 256,
        imageId: 'test-image',
        path: join(stateDir, 's', 'snap1'),
      });
      expect(info.sizeBytes).toBeGreaterThan(0);
      expect(readdirSync(info.path).sort()).toEqual(['memory', 'meta.json', 'rootfs.ext4', 'vmstate']);
      // The disk is a copy, not the source's file.
      expect(statSync(join(info.path, 'rootfs.ext4')).ino).not.toBe(
        statSync(join(stateDir, 'v', source, 'rootfs.ext4')).ino,
      );
      expect(statSync(join(info.path, 'memory')).mode & 0o777).toBe(0o400);
      // Idempotent per snapshot id: the finished snapshot comes back as it is.
      expect(await driver.snapshot(source, 'snap1')).toEqual(info);

      // The source runs on (resumed; its agent reached again after the save's vsock reset).
      expect((await sourceApi.describeInstance()).state).toBe('Running');
      await out(driver, source, 'echo later > after.txt');

      const [one, two] = [
        await restored(driver, spec('r1', 'restored-one'), 'snap1'),
        await restored(driver, spec('r2', 'restored-two'), 'snap1'),
      ];
      for (const [id, name] of [
        [one, 'restored-one'],
        [two, 'restored-two'],
      ] as const) {
        expect(await driver.status(id)).toMatchObject({ state: 'running', detail: { jailed: false } });
        expect(await out(driver, id, 'cat before.txt')).toBe('kept');
        expect(await out(driver, id, 'test -e after.txt && echo yes || echo no')).toBe('no');
        expect(await out(driver, id, 'hostname')).toBe(name);
        const timings = await driver.bootTimings(id);
        expect(timings).toMatchObject({ kernelBootMs: null });
        // Its own disk and vsock, at the relative paths the snapshot recorded, in its own dir.
        const config = await new FirecrackerApi(join(stateDir, 'v', id, 'api.sock')).vmConfig();
        expect(config.drives).toEqual([expect.objectContaining({ path_on_host: 'rootfs.ext4' })]);
        expect(existsSync(join(stateDir, 'v', id, 'snapshot.memory'))).toBe(true);
        expect(existsSync(join(stateDir, 'v', id, 'snapshot.vmstate'))).toBe(false);
      }
      // Each writes its own files.
      await out(driver, one, 'echo one > mine.txt');
      expect(await out(driver, two, 'test -e mine.txt && echo yes || echo no')).toBe('no');
      expect(await out(driver, source, 'test -e mine.txt && echo yes || echo no')).toBe('no');
      // The same id again while it runs: nothing new is made.
      const pid = (await driver.status(one)).detail!.pid;
      await driver.createFromSnapshot(spec('r1', 'restored-one'), 'snap1');
      expect((await driver.status(one)).detail!.pid).toBe(pid);

      await driver.deleteSnapshot('snap1');
      expect(existsSync(info.path)).toBe(false);
      await driver.deleteSnapshot('snap1'); // idempotent
      // The restored VMs keep the memory file they map.
      expect(await out(driver, one, 'cat mine.txt')).toBe('one');
      const gone = await driver.createFromSnapshot(spec('r3', 'x'), 'snap1').catch((e: unknown) => e);
      expect(isAetherError(gone, 'ERR_SNAPSHOT_NOT_FOUND')).toBe(true);

      // A restored VM stops and boots again from its own disk like any other.
      await driver.stop(two);
      await driver.start(two);
      expect(existsSync(join(stateDir, 'v', two, 'snapshot.memory'))).toBe(false);
      await driver.destroy(one);
      await expect.poll(() => hostProcessesMatching(one), { timeout: 3_000 }).toEqual([]);
    },
  );

  it('resumes the VM when the save fails, and leaves no snapshot behind', async () => {
    const { driver, stateDir } = fake.makeDriver({
      faults: [
        {
          method: 'PUT',
          path: '/snapshot/create',
          message: 'Cannot create the snapshot: No space left on device (os error 28)',
        },
      ],
    });
    const id = await fake.created(driver);
    await driver.start(id);
    const error = await driver.snapshot(id, 'failing').catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_FIRECRACKER_FAULT')).toBe(true);
    expect((error as Error).message).toMatch(/No space left on device/);
    expect(existsSync(join(stateDir, 's', 'failing'))).toBe(false);
    expect((await new FirecrackerApi(join(stateDir, 'v', id, 'api.sock')).describeInstance()).state).toBe(
      'Running',
    );
    expect(await out(driver, id, 'echo alive')).toBe('alive');
    // The fault was one-off: the same id saves now.
    expect((await driver.snapshot(id, 'failing')).id).toBe('failing');
  });

  it('refuses what it cannot carry over: VMs not running or on the host bridge, other shapes, unknown snapshots', async () => {
    const { driver } = fake.makeDriver();
    const stopped = await fake.created(driver);
    const notRunning = await driver.snapshot(stopped, 's1').catch((e: unknown) => e);
    expect(isAetherError(notRunning, 'ERR_VM_NOT_RUNNING')).toBe(true);
    const bridged = await fake.created(driver, {
      network: true,
      networkAttachment: {
        tapName: 'aeth0a1b2c3',
        guestMac: '02:00:ac:10:00:07',
        guestIp: '172.16.0.7',
        gatewayIp: '172.16.0.1',
        prefixLength: 24,
      },
    });
    await driver.start(bridged);
    const onBridge = await driver.snapshot(bridged, 's2').catch((e: unknown) => e);
    expect(isAetherError(onBridge, 'ERR_UNSUPPORTED')).toBe(true);
    expect((onBridge as Error).message).toMatch(/host bridge/);

    const unknown = await driver.createFromSnapshot(spec('u1', 'x'), 'nope').catch((e: unknown) => e);
    expect(isAetherError(unknown, 'ERR_SNAPSHOT_NOT_FOUND')).toBe(true);
    const source = await fake.created(driver);
    await driver.start(source);
    await driver.snapshot(source, 'shape');
    const bigger = await driver
      .createFromSnapshot(spec('u2', 'x', { memoryMiB: 512 }), 'shape')
      .catch((e: unknown) => e);
    expect(isAetherError(bigger, 'ERR_VALIDATION')).toBe(true);
    expect((bigger as Error).message).toMatch(/has 1 vCPUs and 256 MiB, not 1 and 512/);
    for (const id of ['u1', 'u2']) expect((await driver.status(id)).state).toBe('missing');
    await driver.deleteSnapshot('shape');
    await driver.deleteSnapshot('never-existed');
  });

  it.skipIf(!isRoot)('cleans up a restore whose load Firecracker refuses', async () => {
    const { driver, stateDir } = fake.makeDriver();
    const source = await fake.created(driver);
    await driver.start(source);
    await driver.snapshot(source, 'snapx');
    const refusing = fake.makeDriver(
      {
        faults: [
          { method: 'PUT', path: '/snapshot/load', message: 'Load microVM snapshot error: bad state' },
        ],
      },
      { stateDir },
    ).driver;
    fake.track(refusing, 'lost');
    const error = await refusing.createFromSnapshot(spec('lost', 'x'), 'snapx').catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_FIRECRACKER_FAULT')).toBe(true);
    expect((error as Error).message).toMatch(/refused to load the snapshot: .*bad state/);
    expect((await refusing.status('lost')).state).toBe('missing');
    await expect.poll(() => hostProcessesMatching('lost'), { timeout: 3_000 }).toEqual([]);
    // The snapshot is untouched: another VM comes from it.
    await restored(driver, spec('found', 'found'), 'snapx');
    expect(await out(driver, 'found', 'hostname')).toBe('found');
  });

  it.skipIf(!isRoot)(
    'snapshots and restores under the jailer, at the same paths in another jail',
    async () => {
      const chrootBaseDir = join(fake.dir, 'snap-jails');
      const { driver, stateDir } = fake.makeDriver(
        {},
        {
          jailer: {
            binary: fake.jailerBinary,
            chrootBaseDir,
            uidBase: 920_000,
            cgroupRoot: join(fake.dir, 'snap-cgroup'),
          },
        },
      );
      const source = await fake.created(driver, { id: 'jsrc' });
      await driver.start(source);
      await writeBytes(driver.files, source, 'jailed.txt', 'inside');
      const info = await driver.snapshot(source, 'jsnap');
      // Readable by the jailed VMMs' group only; nothing left in the source's jail.
      const memory = statSync(join(info.path, 'memory'));
      expect([memory.uid, memory.gid, memory.mode & 0o777]).toEqual([0, 920_000, 0o440]);
      const root = (id: string) => join(chrootBaseDir, 'firecracker', id, 'root');
      expect(existsSync(join(root(source), 'snapshot'))).toBe(false);

      const copy = await restored(driver, spec('jcopy', 'jailed-copy'), 'jsnap');
      expect(await out(driver, copy, 'cat jailed.txt')).toBe('inside');
      expect(await out(driver, copy, 'hostname')).toBe('jailed-copy');
      expect(statSync(join(root(copy), 'rootfs.ext4')).uid).toBe(920_002);
      expect(existsSync(join(root(copy), 'memory'))).toBe(true);
      expect(existsSync(join(root(copy), 'vmstate'))).toBe(false);
      const config = await new FirecrackerApi(join(root(copy), 'run', 'firecracker.socket')).vmConfig();
      expect(config.drives).toEqual([expect.objectContaining({ path_on_host: '/rootfs.ext4' })]);

      // A snapshot from a jailed host does not load on an unjailed one.
      const unjailed = fake.makeDriver({}, { stateDir }).driver;
      const refused = await unjailed
        .createFromSnapshot(spec('nojail', 'x'), 'jsnap')
        .catch((e: unknown) => e);
      expect(isAetherError(refused, 'ERR_UNSUPPORTED')).toBe(true);
      await driver.deleteSnapshot('jsnap');
      expect(await out(driver, copy, 'echo still')).toBe('still');
    },
  );
});
