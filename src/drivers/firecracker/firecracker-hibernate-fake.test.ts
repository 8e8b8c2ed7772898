/**
 * Firecracker hibernation through the driver, with the fake Firecracker as the VMM: it writes
 * and loads its own state files, holds the pause/create/load rules, reopens the disk and vsock at
 * the paths the save recorded, and keeps the guest's files as its "memory". Every VMM logs the
 * requests it answered, so a test tells a wake (a load) from a fresh boot (InstanceStart). What
 * only a real Firecracker shows (guest processes and tmpfs carried over, the guest clock) is in
 * the conformance suite's hibernate cases (firecracker-driver.test.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type FakeDriverExtra,
  useFakeFirecrackerDrivers,
} from '../../../test/support/fake-firecracker-drivers.js';
import { isAetherError } from '../../core/errors.js';
import { hostProcessesMatching, sh, writeBytes } from '../../testing/conformance/drivers/fixtures.js';
import type { FakeProcessOptions } from '../../testing/fakes/firecracker/fake-process-options.js';
import { isAlive } from '../shared/host-proc.js';
import { FirecrackerApi } from './api-client.js';
import type { FirecrackerDriver } from './firecracker-driver.js';

const isRoot = process.getuid?.() === 0;
const rootOnly =
  'waking sets the guest clock and hostname through the agent, which the fake guest (a host process in a UTS namespace of its own) can do only as root';
if (!isRoot) console.warn(`[skip] firecracker wakes from hibernation over the fake: ${rootOnly}`);

const fake = useFakeFirecrackerDrivers();

/** One request a fake VMM answered, as its request log has it. */
interface LoggedRequest {
  pid: number;
  method: string;
  path: string;
  body: unknown;
  status: number;
}

let logs = 0;

/** A driver whose VMMs log their requests, and a way to read what a VMM (by pid) was asked. */
function loggingDriver(options: FakeProcessOptions = {}, extra: FakeDriverExtra = {}) {
  const requestLog = join(fake.dir, `requests-${++logs}.jsonl`);
  const made = fake.makeDriver({ ...options, requestLog }, extra);
  const requests = (pid?: number): LoggedRequest[] =>
    existsSync(requestLog)
      ? readFileSync(requestLog, 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as LoggedRequest)
          .filter((r) => pid === undefined || r.pid === pid)
      : [];
  return { ...made, requests };
}

const pidOf = async (driver: FirecrackerDriver, id: string) =>
  (await driver.status(id)).detail?.pid as number;
const called = (requests: LoggedRequest[], method: string, path: string) =>
  requests.filter((r) => r.method === method && r.path === path);

const out = async (driver: FirecrackerDriver, id: string, script: string) => {
  const r = await sh(driver, id, script);
  expect(r.exitCode, `${script} in ${id}: ${r.stderr}`).toBe(0);
  return r.stdout.trim();
};

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: unknown) => (isAetherError(e) ? e.code : String(e)),
  );

describe('firecracker hibernation over the fake Firecracker', () => {
  it('hibernates a running VM: its VMM gone, its state beside its disk, stopped and hibernated, still listed; again is a no-op', async () => {
    const { driver, stateDir, requests } = loggingDriver();
    const id = await fake.created(driver);
    await driver.start(id);
    const pid = await pidOf(driver, id);
    expect(pid).toBeGreaterThan(0);
    const vmDir = join(stateDir, 'v', id);
    const saved = join(vmDir, 'hibernation');

    await driver.hibernate(id);
    expect(isAlive(pid)).toBe(false);
    await expect.poll(() => hostProcessesMatching(id), { timeout: 3_000 }).toEqual([]);
    expect(await driver.status(id)).toEqual({ id, state: 'stopped', detail: { hibernated: true } });
    expect(await driver.list()).toContainEqual({ id, state: 'stopped', detail: { hibernated: true } });
    // Saved paused, in the VM's own directory; the disk stays where it is, not copied.
    const asked = requests(pid);
    expect(called(asked, 'PATCH', '/vm')).toEqual([expect.objectContaining({ body: { state: 'Paused' } })]);
    expect(called(asked, 'PUT', '/snapshot/create')).toEqual([
      expect.objectContaining({
        body: {
          snapshot_type: 'Full',
          snapshot_path: join(saved, 'vmstate'),
          mem_file_path: join(saved, 'memory'),
        },
        status: 204,
      }),
    ]);
    expect(readdirSync(saved).sort()).toEqual(['memory', 'meta.json', 'vmstate']);
    expect(statSync(join(saved, 'memory')).mode & 0o777).toBe(0o400);
    expect(existsSync(join(vmDir, 'rootfs.ext4'))).toBe(true);
    expect(JSON.parse(readFileSync(join(saved, 'meta.json'), 'utf8'))).toMatchObject({
      id,
      vcpus: 1,
      memoryMiB: 256,
      imageId: 'test-image',
      layout: 'cwd',
    });

    // Idempotent: nothing is asked of anyone, nothing saved anew.
    const metaTime = statSync(join(saved, 'meta.json')).mtimeMs;
    const before = requests().length;
    await driver.hibernate(id);
    expect(requests().length).toBe(before);
    expect(statSync(join(saved, 'meta.json')).mtimeMs).toBe(metaTime);
    // Asleep, it runs nothing.
    expect(await codeOf(sh(driver, id, 'true'))).toBe('ERR_VM_NOT_RUNNING');
    expect(await codeOf(driver.pause(id))).toBe('ERR_VM_NOT_RUNNING');
    expect(await codeOf(driver.snapshot(id, 'asleep'))).toBe('ERR_VM_NOT_RUNNING');
  });

  it.skipIf(!isRoot)(
    'resume wakes a hibernated VM in a fresh VMM from its saved state, then drops it; resuming again is a no-op',
    async () => {
      const { driver, stateDir, requests } = loggingDriver();
      const id = await fake.created(driver, { name: 'sleeper' });
      await driver.start(id);
      await writeBytes(driver.files, id, 'kept.txt', 'in memory');
      const vmDir = join(stateDir, 'v', id);
      const oldPid = await pidOf(driver, id);
      await driver.hibernate(id);
      // The fake keeps the guest's files as its memory: gone from the guest's home, they come
      // back only from the saved memory file.
      rmSync(join(vmDir, 'home', 'kept.txt'));

      await driver.resume(id);
      const info = await driver.status(id);
      expect(info).toMatchObject({ state: 'running', detail: { jailed: false, image: 'test-image' } });
      expect(info.detail?.hibernated).toBeUndefined();
      const pid = info.detail!.pid as number;
      expect(pid).not.toBe(oldPid);
      // The fresh VMM loaded the saved files (through its links to them), and booted nothing.
      const asked = requests(pid);
      expect(called(asked, 'PUT', '/snapshot/load')).toEqual([
        expect.objectContaining({
          body: {
            snapshot_path: join(vmDir, 'snapshot.vmstate'),
            mem_backend: { backend_type: 'File', backend_path: join(vmDir, 'snapshot.memory') },
            resume_vm: true,
          },
          status: 204,
        }),
      ]);
      expect(called(asked, 'PUT', '/actions')).toEqual([]);
      expect((await driver.bootTimings(id))?.kernelBootMs).toBeNull();
      // Its agent answers, with its files as they were, its own name, at its own disk and vsock.
      expect(await out(driver, id, 'cat kept.txt')).toBe('in memory');
      expect(await out(driver, id, 'hostname')).toBe('sleeper');
      const config = await new FirecrackerApi(join(vmDir, 'api.sock')).vmConfig();
      expect(config.drives).toEqual([expect.objectContaining({ path_on_host: 'rootfs.ext4' })]);
      expect(config.vsock).toMatchObject({ uds_path: 'v.sock' });
      // The saved state is gone; only the memory file the VMM maps is still linked.
      expect(existsSync(join(vmDir, 'hibernation'))).toBe(false);
      expect(existsSync(join(vmDir, 'snapshot.memory'))).toBe(true);
      expect(existsSync(join(vmDir, 'snapshot.vmstate'))).toBe(false);

      const loads = called(requests(), 'PUT', '/snapshot/load').length;
      await driver.resume(id);
      expect(await pidOf(driver, id)).toBe(pid);
      expect(called(requests(), 'PUT', '/snapshot/load').length).toBe(loads);
      expect(await out(driver, id, 'echo awake')).toBe('awake');

      // Hibernating the woken VM saves it afresh, and lets go of what it had mapped.
      await driver.hibernate(id);
      expect(existsSync(join(vmDir, 'snapshot.memory'))).toBe(false);
      expect((await driver.status(id)).detail).toEqual({ hibernated: true });
    },
  );

  it.skipIf(!isRoot)(
    'start wakes a hibernated VM too, and a paused VM hibernates and wakes running',
    async () => {
      const { driver, stateDir, requests } = loggingDriver();
      const id = await fake.created(driver);
      await driver.start(id);
      await writeBytes(driver.files, id, 'kept.txt', 'paused');
      await driver.pause(id);
      await driver.hibernate(id);
      expect((await driver.status(id)).detail).toEqual({ hibernated: true });

      await driver.start(id);
      const pid = await pidOf(driver, id);
      expect(called(requests(pid), 'PUT', '/snapshot/load')).toHaveLength(1);
      expect(called(requests(pid), 'PUT', '/actions')).toEqual([]);
      expect(await out(driver, id, 'cat kept.txt')).toBe('paused');
      expect((await new FirecrackerApi(join(stateDir, 'v', id, 'api.sock')).describeInstance()).state).toBe(
        'Running',
      );
      await driver.start(id); // running: nothing to do
      expect(await pidOf(driver, id)).toBe(pid);
    },
  );

  it('stop without a grace drops the saved memory, and the next start boots afresh from the disk', async () => {
    const { driver, stateDir, requests } = loggingDriver();
    const id = await fake.created(driver);
    await driver.start(id);
    await driver.hibernate(id);
    const before = requests().length;
    await driver.stop(id, { graceMs: 0 });
    expect(requests().length).toBe(before); // not woken
    expect(await driver.status(id)).toEqual({ id, state: 'stopped' });
    expect(existsSync(join(stateDir, 'v', id, 'hibernation'))).toBe(false);
    expect(await codeOf(driver.resume(id))).toBe('ERR_VM_NOT_RUNNING');
    expect(await codeOf(driver.hibernate(id))).toBe('ERR_VM_NOT_RUNNING');

    await driver.start(id);
    const pid = await pidOf(driver, id);
    expect(called(requests(pid), 'PUT', '/snapshot/load')).toEqual([]);
    expect(called(requests(pid), 'PUT', '/actions')).toEqual([
      expect.objectContaining({ body: { action_type: 'InstanceStart' } }),
    ]);
    expect(await out(driver, id, 'echo fresh')).toBe('fresh');
  });

  it.skipIf(!isRoot)(
    'stop with a grace wakes the VM and shuts it down, so nothing the guest wrote is lost',
    async () => {
      const { driver, stateDir, requests } = loggingDriver();
      const id = await fake.created(driver);
      await driver.start(id);
      await driver.hibernate(id);
      await driver.stop(id, { graceMs: 3_000 });
      expect(await driver.status(id)).toEqual({ id, state: 'stopped' });
      expect(existsSync(join(stateDir, 'v', id, 'hibernation'))).toBe(false);
      await expect.poll(() => hostProcessesMatching(id), { timeout: 3_000 }).toEqual([]);
      // The woken VMM loaded the state, then the guest was synced and asked to shut down.
      const woken = called(requests(), 'PUT', '/snapshot/load');
      expect(woken).toHaveLength(1);
      expect(called(requests(woken[0]!.pid), 'PUT', '/actions')).toEqual([
        expect.objectContaining({ body: { action_type: 'SendCtrlAltDel' } }),
      ]);
    },
  );

  it('destroy removes a hibernated VM and everything it saved', async () => {
    const { driver, stateDir } = loggingDriver();
    const id = await fake.created(driver);
    await driver.start(id);
    await driver.hibernate(id);
    await driver.destroy(id);
    expect((await driver.status(id)).state).toBe('missing');
    expect((await driver.list()).map((vm) => vm.id)).not.toContain(id);
    expect(existsSync(join(stateDir, 'v', id))).toBe(false);
    await expect.poll(() => hostProcessesMatching(id), { timeout: 3_000 }).toEqual([]);
    await driver.destroy(id); // idempotent
  });

  it('refuses to hibernate or wake a VM that is not running, and one it does not know', async () => {
    const { driver } = loggingDriver();
    const id = await fake.created(driver);
    expect(await codeOf(driver.hibernate(id))).toBe('ERR_VM_NOT_RUNNING');
    expect(await codeOf(driver.resume(id))).toBe('ERR_VM_NOT_RUNNING');
    await driver.start(id);
    await driver.stop(id);
    expect(await codeOf(driver.hibernate(id))).toBe('ERR_VM_NOT_RUNNING');
    expect(await driver.status(id)).toEqual({ id, state: 'stopped' });
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await codeOf(driver.hibernate(unknown))).toBe('ERR_VM_NOT_FOUND');
    expect(await codeOf(driver.resume(unknown))).toBe('ERR_VM_NOT_FOUND');
  });

  it('never loads a half-saved state: a VMM killed during the save leaves no meta.json, and the next hibernation redoes it', async () => {
    const { driver, stateDir } = loggingDriver({
      faults: [{ method: 'PUT', path: '/snapshot/create', message: 'VMM killed mid-save', kill: true }],
    });
    const id = await fake.created(driver);
    await driver.start(id);
    const pid = await pidOf(driver, id);
    const saved = join(stateDir, 'v', id, 'hibernation');

    expect(await codeOf(driver.hibernate(id))).toBe('ERR_DRIVER_FAILED');
    // The VMM killed itself mid-answer: the driver sees the broken socket a moment before the
    // kernel has finished the process's exit, so its death is waited for, not sampled.
    await expect.poll(() => isAlive(pid), { timeout: 3_000 }).toBe(false);
    await expect.poll(() => hostProcessesMatching(id), { timeout: 3_000 }).toEqual([]);
    expect(existsSync(join(saved, 'meta.json'))).toBe(false);
    expect(await driver.status(id)).toEqual({ id, state: 'stopped' });
    expect(await codeOf(driver.resume(id))).toBe('ERR_VM_NOT_RUNNING');

    // A save cut short before its meta.json (the driver itself gone mid-save) left files behind:
    // not a state that counts; start boots afresh and drops them.
    mkdirSync(saved, { recursive: true });
    writeFileSync(join(saved, 'vmstate'), 'half');
    writeFileSync(join(saved, 'memory'), 'half');
    expect(await driver.status(id)).toEqual({ id, state: 'stopped' });
    const healthy = loggingDriver({}, { stateDir });
    await healthy.driver.start(id);
    const fresh = await pidOf(healthy.driver, id);
    expect(called(healthy.requests(fresh), 'PUT', '/snapshot/load')).toEqual([]);
    expect(called(healthy.requests(fresh), 'PUT', '/actions')).toHaveLength(1);
    expect(existsSync(saved)).toBe(false);

    await healthy.driver.hibernate(id);
    expect(readdirSync(saved).sort()).toEqual(['memory', 'meta.json', 'vmstate']);
    expect((await healthy.driver.status(id)).detail).toEqual({ hibernated: true });
  });

  it('leaves the VM as it was when Firecracker refuses the save: running, or still paused', async () => {
    const { driver, stateDir } = loggingDriver({
      faults: [
        { method: 'PUT', path: '/snapshot/create', message: 'No space left on device (os error 28)' },
        { method: 'PUT', path: '/snapshot/create', message: 'No space left on device (os error 28)' },
      ],
    });
    const id = await fake.created(driver);
    await driver.start(id);
    const api = new FirecrackerApi(join(stateDir, 'v', id, 'api.sock'));
    expect(await codeOf(driver.hibernate(id))).toBe('ERR_FIRECRACKER_FAULT');
    expect((await api.describeInstance()).state).toBe('Running');
    expect(await out(driver, id, 'echo still')).toBe('still');
    await driver.pause(id);
    expect(await codeOf(driver.hibernate(id))).toBe('ERR_FIRECRACKER_FAULT');
    expect((await api.describeInstance()).state).toBe('Paused');
    expect(existsSync(join(stateDir, 'v', id, 'hibernation'))).toBe(false);
    expect((await driver.status(id)).state).toBe('running');
    await driver.hibernate(id); // the faults were one-off
    expect((await driver.status(id)).detail).toEqual({ hibernated: true });
  });

  it.skipIf(!isRoot)(
    'keeps the saved state when Firecracker refuses to load it, so a later wake succeeds',
    async () => {
      const { driver, stateDir } = loggingDriver();
      const id = await fake.created(driver);
      await driver.start(id);
      await writeBytes(driver.files, id, 'kept.txt', 'again');
      await driver.hibernate(id);
      const refusing = loggingDriver(
        {
          faults: [
            { method: 'PUT', path: '/snapshot/load', message: 'Load microVM snapshot error: bad state' },
          ],
        },
        { stateDir },
      ).driver;
      const error = await refusing.resume(id).catch((e: unknown) => e);
      expect(isAetherError(error, 'ERR_FIRECRACKER_FAULT')).toBe(true);
      expect((error as Error).message).toMatch(/refused to load the snapshot: .*bad state/);
      expect(await driver.status(id)).toEqual({ id, state: 'stopped', detail: { hibernated: true } });
      await expect.poll(() => hostProcessesMatching(id), { timeout: 3_000 }).toEqual([]);
      await driver.resume(id);
      expect(await out(driver, id, 'cat kept.txt')).toBe('again');
    },
  );

  it.skipIf(!isRoot)(
    'hibernates and wakes under the jailer, in a fresh jail of the same layout',
    async () => {
      const chrootBaseDir = join(fake.dir, 'hib-jails');
      const { driver, stateDir, requests } = loggingDriver(
        {},
        {
          jailer: {
            binary: fake.jailerBinary,
            chrootBaseDir,
            uidBase: 930_000,
            cgroupRoot: join(fake.dir, 'hib-cgroup'),
          },
        },
      );
      const id = await fake.created(driver, { id: 'jhib' });
      await driver.start(id);
      await writeBytes(driver.files, id, 'jailed.txt', 'inside');
      const jail = join(chrootBaseDir, 'firecracker', id);
      await driver.hibernate(id);
      expect(existsSync(jail)).toBe(false); // the jail goes with the VMM
      const memory = statSync(join(stateDir, 'v', id, 'hibernation', 'memory'));
      expect([memory.uid, memory.gid, memory.mode & 0o777]).toEqual([0, 930_000, 0o440]);

      await driver.resume(id);
      const pid = await pidOf(driver, id);
      expect(called(requests(pid), 'PUT', '/snapshot/load')).toEqual([
        expect.objectContaining({
          body: expect.objectContaining({ snapshot_path: '/vmstate', mem_backend: expect.anything() }),
        }),
      ]);
      expect(await out(driver, id, 'cat jailed.txt')).toBe('inside');
      expect((await driver.status(id)).detail).toMatchObject({ jailed: true });
      const config = await new FirecrackerApi(join(jail, 'root', 'run', 'firecracker.socket')).vmConfig();
      expect(config.drives).toEqual([expect.objectContaining({ path_on_host: '/rootfs.ext4' })]);
      expect(existsSync(join(stateDir, 'v', id, 'hibernation'))).toBe(false);
    },
  );

  it.skipIf(!isRoot)('hibernates a VM on the host bridge and wakes it on its own TAP', async () => {
    const { driver, stateDir } = loggingDriver();
    const id = await fake.created(driver, {
      network: true,
      networkAttachment: {
        tapName: 'aeth0d4e5f6',
        guestMac: '02:00:ac:10:00:09',
        guestIp: '172.16.0.9',
        gatewayIp: '172.16.0.1',
        prefixLength: 24,
      },
    });
    await driver.start(id);
    await driver.hibernate(id);
    await driver.resume(id);
    const config = await new FirecrackerApi(join(stateDir, 'v', id, 'api.sock')).vmConfig();
    expect(config['network-interfaces']).toEqual([
      { iface_id: 'eth0', host_dev_name: 'aeth0d4e5f6', guest_mac: '02:00:ac:10:00:09' },
    ]);
    expect(await out(driver, id, 'echo on the bridge')).toBe('on the bridge');
  });
});
