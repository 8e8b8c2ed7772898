/**
 * The firecracker driver with the fake Firecracker standing in for the VMM process (through the
 * driver's spawner): a real process per VM that takes the driver's command line, serves the API
 * on the socket the driver names, checks every request, and boots a "guest" whose vsock leads to
 * the real agent bundle. So everything but KVM runs for real: spawning, readiness, the boot
 * sequence, the vsock agent, graceful and forced stops, restarts, boot failures with their
 * messages, jailer mode's chroot layout, and cleanup.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFakeFirecrackerDrivers } from '../../../test/support/fake-firecracker-drivers.js';
import { isAetherError } from '../../core/errors.js';
import {
  hostProcessesMatching,
  readBytes,
  run,
  sh,
  writeBytes,
} from '../../testing/conformance/drivers/fixtures.js';
import { isAlive } from '../shared/host-proc.js';
import { FirecrackerApi } from './api-client.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('[skip] firecracker driver in jailer mode: preparing a jail (chown) needs root');

const fake = useFakeFirecrackerDrivers();
const { makeDriver, created } = fake;

describe('firecracker driver over the fake Firecracker', () => {
  it('creates, boots, runs commands, stops gracefully, boots again over stale sockets, survives a restart, and destroys', async () => {
    const { driver, stateDir } = makeDriver();
    expect(driver.isolation).toMatchObject({ level: 'microvm-kvm', kernel: 'dedicated' });
    expect(driver.isolation.summary).toMatch(/unjailed/);
    const id = await created(driver);
    expect((await driver.status(id)).state).toBe('created');
    const disk = join(stateDir, 'v', id, 'rootfs.ext4');
    expect(statSync(disk).size).toBe(64 * 1024);

    await driver.start(id);
    const running = await driver.status(id);
    expect(running).toMatchObject({ state: 'running', detail: { jailed: false, image: 'test-image' } });
    const timings = await driver.bootTimings(id);
    expect(timings?.kernelBootMs).not.toBeNull(); // the guest's init line reached the console file
    expect(timings!.totalMs).toBeGreaterThanOrEqual(timings!.vmmStartMs + timings!.configureMs);

    const r = await sh(driver, id, 'echo out; echo err >&2; exit 3');
    expect(r).toMatchObject({ stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
    await writeBytes(driver.files, id, 'f.txt', 'put');
    expect((await readBytes(driver.files, id, 'f.txt')).toString()).toBe('put');
    const spawnFailure = await run(driver, id, ['no-such-binary-9f2e']).catch((e: unknown) => e);
    expect(isAetherError(spawnFailure, 'ERR_EXEC_SPAWN_FAILED')).toBe(true);

    // What the VMM was told, read back from its own API.
    const api = new FirecrackerApi(join(stateDir, 'v', id, 'api.sock'));
    const config = await api.vmConfig();
    expect(config['machine-config']).toMatchObject({ vcpu_count: 1, mem_size_mib: 256 });
    expect(config.drives).toEqual([
      // Relative to the VMM's working directory, the VM's own: what a snapshot of it records.
      expect.objectContaining({ drive_id: 'rootfs', path_on_host: 'rootfs.ext4', is_root_device: true }),
    ]);
    expect(config.vsock).toMatchObject({ uds_path: 'v.sock' });
    expect((config['boot-source'] as { boot_args: string }).boot_args).toMatch(
      /aether\.agent=vsock:9999 aether\.net=none$/,
    );

    // A restarted worker finds the VM and its agent.
    const fresh = makeDriver({}, { stateDir }).driver;
    expect(await fresh.list()).toContainEqual(expect.objectContaining({ id, state: 'running' }));
    expect((await sh(fresh, id, 'cat f.txt')).stdout).toBe('put');

    const pid = running.detail!.pid as number;
    const stopStarted = Date.now();
    await driver.stop(id);
    expect(Date.now() - stopStarted).toBeLessThan(4_000); // the guest shut down on SendCtrlAltDel
    expect(isAlive(pid)).toBe(false);
    expect((await driver.status(id)).state).toBe('stopped');
    expect(isAetherError(await sh(driver, id, 'true').catch((e: unknown) => e), 'ERR_VM_NOT_RUNNING')).toBe(
      true,
    );
    // Firecracker left its sockets; a VMM binding over them would fail, so they must go first.
    expect(existsSync(join(stateDir, 'v', id, 'api.sock'))).toBe(true);
    await driver.start(id);
    expect((await sh(driver, id, 'cat f.txt')).stdout).toBe('put');

    await driver.destroy(id);
    expect((await driver.status(id)).state).toBe('missing');
    expect(readdirSync(join(stateDir, 'v'))).toEqual([]);
    await expect.poll(() => hostProcessesMatching(id), { timeout: 3_000 }).toEqual([]);
    await driver.destroy(id); // idempotent
  });

  it('kills a VM whose guest ignores SendCtrlAltDel once the grace is over', async () => {
    const { driver } = makeDriver({ ctrlAltDel: 'ignore' });
    const id = await created(driver);
    await driver.start(id);
    const pid = (await driver.status(id)).detail!.pid as number;
    const started = Date.now();
    await driver.stop(id, { graceMs: 800 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(700);
    expect(took).toBeLessThan(4_000);
    expect(isAlive(pid)).toBe(false);
    await expect.poll(() => hostProcessesMatching(id), { timeout: 3_000 }).toEqual([]);
  });

  it('fails a boot Firecracker refuses with its fault message, and leaves no process behind', async () => {
    const { driver } = makeDriver({
      faults: [
        {
          method: 'PUT',
          path: '/boot-source',
          message: 'The kernel file cannot be opened: Permission denied (os error 13)',
        },
      ],
    });
    const id = await created(driver);
    const error = await driver.start(id).catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_FIRECRACKER_FAULT')).toBe(true);
    expect((error as Error).message).toMatch(
      /Firecracker refused its configuration: Firecracker refused PUT \/boot-source \(400\): The kernel file cannot be opened: Permission denied/,
    );
    expect((await driver.status(id)).state).toBe('stopped');
    await expect.poll(() => hostProcessesMatching(id), { timeout: 3_000 }).toEqual([]);
  });

  it('fails a VMM that exits at start with what it printed', async () => {
    const { driver } = makeDriver({ exitAtStart: 1 });
    const id = await created(driver);
    const error = await driver.start(id).catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_DRIVER_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(
      /Firecracker exited at start \(code 1\); Firecracker said: .*KVM is not available/,
    );
  });

  it('times out a guest whose agent never answers, with the guest console in the error', async () => {
    const { driver } = makeDriver({ agentBundle: '' }, { bootTimeoutMs: 8_000 });
    const id = await created(driver);
    const error = await driver.start(id).catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_VM_BOOT_TIMEOUT')).toBe(true);
    expect((error as Error).message).toMatch(
      /agent not ready after 8000 ms; guest console: aether-init: up at/,
    );
    await expect.poll(() => hostProcessesMatching(id), { timeout: 3_000 }).toEqual([]);
  }, 60_000);

  it('checks a VM before making anything: vCPUs, network attachment, unknown VMs', async () => {
    const { driver, stateDir } = makeDriver();
    const tooMany = await created(driver, { vcpus: 33 }).catch((e: unknown) => e);
    expect(isAetherError(tooMany, 'ERR_VALIDATION')).toBe(true);
    const noTap = await created(driver, { network: true }).catch((e: unknown) => e);
    expect(isAetherError(noTap, 'ERR_NETWORK_UNAVAILABLE')).toBe(true);
    expect((noTap as Error).message).toMatch(/aether network setup/);
    const badMac = await created(driver, {
      network: true,
      networkAttachment: {
        tapName: 'aeth1',
        guestMac: 'nope',
        guestIp: '172.16.0.9',
        gatewayIp: '172.16.0.1',
        prefixLength: 24,
      },
    }).catch((e: unknown) => e);
    expect((badMac as Error).message).toMatch(/invalid network attachment: guestMac "nope"/);
    expect(existsSync(join(stateDir, 'v')) ? readdirSync(join(stateDir, 'v')) : []).toEqual([]);
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const attempt of [
      () => driver.start(unknown),
      () => driver.stop(unknown),
      () => run(driver, unknown, ['true']),
    ]) {
      expect(isAetherError(await attempt().catch((e: unknown) => e), 'ERR_VM_NOT_FOUND')).toBe(true);
    }
  });

  it('gives a VM with a network attachment its NIC and its address on the kernel command line', async () => {
    const { driver, stateDir } = makeDriver();
    const id = await created(driver, {
      network: true,
      networkAttachment: {
        tapName: 'aeth0a1b2c3',
        guestMac: '02:00:ac:10:00:07',
        guestIp: '172.16.0.7',
        gatewayIp: '172.16.0.1',
        prefixLength: 24,
      },
    });
    await driver.start(id);
    const config = await new FirecrackerApi(join(stateDir, 'v', id, 'api.sock')).vmConfig();
    expect(config['network-interfaces']).toEqual([
      { iface_id: 'eth0', host_dev_name: 'aeth0a1b2c3', guest_mac: '02:00:ac:10:00:07' },
    ]);
    expect((config['boot-source'] as { boot_args: string }).boot_args).toMatch(
      /aether\.net=tap ip=172\.16\.0\.7::172\.16\.0\.1:255\.255\.255\.0::eth0:off$/,
    );
  });

  it.skipIf(!isRoot)(
    'runs the VMM through the jailer: chroot layout, per-VM uid, cleanup of the jail',
    async () => {
      const chrootBaseDir = join(fake.dir, 'jails');
      const cgroupRoot = join(fake.dir, 'cgroup');
      mkdirSync(cgroupRoot);
      const { driver } = makeDriver(
        {},
        { jailer: { binary: fake.jailerBinary, chrootBaseDir, uidBase: 910_000, cgroupRoot } },
      );
      expect(driver.isolation.summary).toMatch(/under the jailer/);
      const [a, b] = [await created(driver), await created(driver)];
      await Promise.all([driver.start(a), driver.start(b)]);
      const root = (id: string) => join(chrootBaseDir, 'firecracker', id, 'root');
      const owners = [a, b].map((id) => statSync(join(root(id), 'rootfs.ext4'))).map((f) => [f.uid, f.gid]);
      // A uid of its own per VM, one group for all.
      expect(owners.sort()).toEqual([
        [910_001, 910_000],
        [910_002, 910_000],
      ]);
      expect(statSync(join(root(a), 'vmlinux')).uid).toBe(0); // the shared kernel keeps its owner
      expect((await sh(driver, a, 'echo jailed')).stdout).toBe('jailed\n');
      expect((await driver.status(a)).detail).toMatchObject({ jailed: true });
      const config = await new FirecrackerApi(join(root(a), 'run', 'firecracker.socket')).vmConfig();
      expect(config.drives).toEqual([expect.objectContaining({ path_on_host: '/rootfs.ext4' })]);
      expect(config['boot-source']).toMatchObject({ kernel_image_path: '/vmlinux' });

      await driver.stop(a);
      expect(existsSync(join(chrootBaseDir, 'firecracker', a))).toBe(false); // the jail goes with the VMM
      await driver.start(a); // and is built afresh
      expect((await sh(driver, a, 'echo again')).stdout).toBe('again\n');
      await Promise.all([driver.destroy(a), driver.destroy(b)]);
      expect(readdirSync(join(chrootBaseDir, 'firecracker'))).toEqual([]);
      await expect
        .poll(() => [...hostProcessesMatching(a), ...hostProcessesMatching(b)], { timeout: 3_000 })
        .toEqual([]);
    },
  );
});
