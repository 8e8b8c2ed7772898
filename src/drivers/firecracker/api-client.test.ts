/**
 * The API client against the fake Firecracker API server on a real Unix socket: the documented
 * pre-boot sequence, the pre-boot/post-boot rules, bodies checked field by field, transport rules
 * (Content-Length, ids, symlinked sockets), readiness polling, and faults surfaced with their
 * `fault_message`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AetherError, isAetherError } from '../../core/errors.js';
import {
  FakeFirecracker,
  type FakeFirecrackerOptions,
} from '../../testing/fakes/firecracker/fake-firecracker.js';
import { FirecrackerApi } from './api-client.js';
import { FirecrackerTransport } from './api-transport.js';
import { applyBootPlan, bootPlan } from './boot-plan.js';

let dir: string;
const fakes: FakeFirecracker[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aether-fcapi-'));
  for (const name of ['vmlinux', 'rootfs.ext4', 'console.log', 'firecracker.log', 'metrics.json'])
    writeFileSync(join(dir, name), '');
});
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function fake(
  options: Partial<FakeFirecrackerOptions> = {},
): Promise<{ fc: FakeFirecracker; api: FirecrackerApi }> {
  const apiSocket = options.apiSocket ?? join(dir, 'api.sock');
  const fc = await FakeFirecracker.start({ id: 'vm-1', ...options, apiSocket });
  fakes.push(fc);
  return { fc, api: new FirecrackerApi(apiSocket, { timeoutMs: 2_000 }) };
}

const paths = () => ({
  kernel: join(dir, 'vmlinux'),
  rootfs: join(dir, 'rootfs.ext4'),
  vsock: join(dir, 'v.sock'),
  console: join(dir, 'console.log'),
  log: join(dir, 'firecracker.log'),
  metrics: join(dir, 'metrics.json'),
});

async function rejection(promise: Promise<unknown>): Promise<AetherError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AetherError);
  return error as AetherError;
}

describe('Firecracker API client', () => {
  it('configures a VM in the documented order and starts it; every body has a Content-Length', async () => {
    const { fc, api } = await fake();
    expect((await api.describeInstance()).state).toBe('Not started');
    const plan = bootPlan({ vcpus: 2, memoryMiB: 256, paths: paths(), agentPort: 9999, network: null });
    await applyBootPlan(api, plan);
    await api.startInstance();
    expect((await api.describeInstance()).state).toBe('Running');

    const writes = fc.requests.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'PUT /logger 204',
      'PUT /metrics 204',
      'PUT /machine-config 204',
      'PUT /boot-source 204',
      'PUT /drives/rootfs 204',
      'PUT /vsock 204',
      'PUT /entropy 204',
      'PUT /serial 204',
      'PUT /actions 204',
    ]);
    for (const r of writes) {
      expect(r.headers['content-length'], `${r.method} ${r.path}`).toBe(
        String(JSON.stringify(r.body).length),
      );
      expect(r.headers['transfer-encoding']).toBeUndefined();
    }
    for (const r of fc.requests.filter((q) => q.method === 'GET'))
      expect(r.headers['content-length']).toBeUndefined();
    const config = await api.vmConfig();
    expect(config['machine-config']).toMatchObject({ vcpu_count: 2, mem_size_mib: 256, smt: false });
    expect((config['boot-source'] as { boot_args: string }).boot_args).toContain('aether.agent=vsock:9999');
  });

  it('puts a network interface in with the attachment, and its address on the kernel command line', async () => {
    const { fc, api } = await fake();
    const network = {
      tapName: 'aeth0a1b2c3d',
      guestMac: '02:00:ac:10:00:05',
      guestIp: '172.16.0.5',
      gatewayIp: '172.16.0.1',
      prefixLength: 24,
    };
    await applyBootPlan(
      api,
      bootPlan({ vcpus: 1, memoryMiB: 128, paths: paths(), agentPort: 9999, network }),
    );
    const iface = fc.requests.find((r) => r.path === '/network-interfaces/eth0');
    expect(iface?.body).toEqual({
      iface_id: 'eth0',
      host_dev_name: 'aeth0a1b2c3d',
      guest_mac: '02:00:ac:10:00:05',
    });
    const boot = fc.requests.find((r) => r.path === '/boot-source')?.body as { boot_args: string };
    expect(boot.boot_args).toContain('aether.net=tap ip=172.16.0.5::172.16.0.1:255.255.255.0::eth0:off');
  });

  it('refuses pre-boot calls after InstanceStart and post-boot calls before it, quoting Firecracker', async () => {
    const { api } = await fake();
    const early = await rejection(api.pause());
    expect(early.code).toBe('ERR_FIRECRACKER_FAULT');
    expect(early.message).toMatch(/PATCH \/vm \(400\): .*not supported before starting the microVM/);
    expect(early.details).toMatchObject({ method: 'PATCH', path: '/vm', status: 400 });
    expect((await rejection(api.sendCtrlAltDel())).message).toMatch(/before starting/);
    expect((await rejection(api.startInstance())).message).toMatch(/without kernel configuration/);

    await api.putBootSource({ kernel_image_path: join(dir, 'vmlinux') });
    await api.startInstance();
    const late = await rejection(api.putBootSource({ kernel_image_path: join(dir, 'vmlinux') }));
    expect(late.message).toMatch(/PUT \/boot-source \(400\): .*not supported after starting the microVM/);
    expect((await rejection(api.startInstance())).message).toMatch(/after starting/);
    await api.pause();
    await api.pause(); // idempotent
    expect((await api.describeInstance()).state).toBe('Paused');
    await api.resume();
    expect((await api.describeInstance()).state).toBe('Running');
  });

  it('takes snapshots only while paused, and loads one only in a fresh process', async () => {
    const { api } = await fake();
    await api.putBootSource({ kernel_image_path: join(dir, 'vmlinux') });
    await api.startInstance();
    const snapshot = { snapshot_path: join(dir, 'vm.snap'), mem_file_path: join(dir, 'vm.mem') };
    expect((await rejection(api.createSnapshot(snapshot))).message).toMatch(/not paused/);
    await api.pause();
    await api.createSnapshot({ ...snapshot, snapshot_type: 'Full' });
    expect(existsSync(snapshot.snapshot_path) && existsSync(snapshot.mem_file_path)).toBe(true);
    const load = {
      snapshot_path: snapshot.snapshot_path,
      mem_backend: { backend_type: 'File' as const, backend_path: snapshot.mem_file_path },
    };
    const second = await fake({ apiSocket: join(dir, 'api2.sock') });
    await second.api.putMachineConfig({ vcpu_count: 1, mem_size_mib: 128 });
    expect((await rejection(second.api.loadSnapshot(load))).message).toMatch(
      /after configuring boot-specific resources/,
    );
    const fresh = await fake({ apiSocket: join(dir, 'api3.sock') });
    await fresh.api.putLogger({ log_path: join(dir, 'firecracker.log'), level: 'Warning' });
    await fresh.api.loadSnapshot({ ...load, resume_vm: true });
    expect((await fresh.api.describeInstance()).state).toBe('Running');
    expect(() => fresh.api.loadSnapshot({ snapshot_path: 'x' })).toThrow(/exactly one of mem_backend/);
  });

  it('has its bodies checked like Firecracker does: unknown, missing and mistyped fields are refused', async () => {
    const { fc } = await fake();
    const raw = new FirecrackerTransport(join(dir, 'api.sock'));
    const kernel = join(dir, 'vmlinux');
    const unknown = await rejection(
      raw.send('PUT', '/boot-source', { kernel_image_path: kernel, initrd: 'x' }),
    );
    expect(unknown.message).toMatch(
      /unknown field `initrd`, expected one of `kernel_image_path`, `boot_args`, `initrd_path`/,
    );
    const missing = await rejection(raw.send('PUT', '/machine-config', { vcpu_count: 1 }));
    expect(missing.message).toMatch(/missing field `mem_size_mib`/);
    const mistyped = await rejection(
      raw.send('PUT', '/machine-config', { vcpu_count: '2', mem_size_mib: 128 }),
    );
    expect(mistyped.message).toMatch(/invalid type: string "2", expected u8/);
    const variant = await rejection(raw.send('PUT', '/actions', { action_type: 'Reboot' }));
    expect(variant.message).toMatch(/unknown variant `Reboot`/);
    // 1.17 fields are unknown to 1.16: the client must never send them.
    const newer = await rejection(
      raw.send('PUT', '/metrics', { metrics_path: join(dir, 'metrics.json'), emit_id: true }),
    );
    expect(newer.message).toMatch(/unknown field `emit_id`/);
    const tooMany = await rejection(
      raw.send('PUT', '/machine-config', { vcpu_count: 33, mem_size_mib: 128 }),
    );
    expect(tooMany.message).toMatch(/vCPU number is invalid/);
    const missingFile = await rejection(
      raw.send('PUT', '/boot-source', { kernel_image_path: join(dir, 'nope') }),
    );
    expect(missingFile.message).toMatch(/kernel file cannot be opened: No such file/);
    expect(fc.requests.every((r) => r.status === 400)).toBe(true);
  });

  it('validates resource ids before sending, and the server refuses bad ones and mismatches', async () => {
    const { fc, api } = await fake();
    expect(() =>
      api.putDrive({ drive_id: 'root-fs', is_root_device: true, path_on_host: join(dir, 'rootfs.ext4') }),
    ).toThrow(/letters, digits or underscores/);
    expect(fc.requests).toHaveLength(0);
    const raw = new FirecrackerTransport(join(dir, 'api.sock'));
    const body = { drive_id: 'root-fs', is_root_device: true, path_on_host: join(dir, 'rootfs.ext4') };
    expect((await rejection(raw.send('PUT', '/drives/root-fs', body))).message).toMatch(
      /can only contain alphanumeric characters and underscores/,
    );
    expect((await rejection(raw.send('PUT', '/drives/rootfs', body))).message).toMatch(
      /does not match the id from the body/,
    );
  });

  it('keeps the transport rules: a GET has no body, a PUT has one, chunked bodies are refused by the server', async () => {
    await fake();
    const raw = new FirecrackerTransport(join(dir, 'api.sock'));
    await expect(raw.send('GET', '/', {})).rejects.toThrow(/cannot carry a body/);
    await expect(raw.send('PUT', '/vm', undefined)).rejects.toThrow(/needs a body/);
    await expect(raw.send('PUT', '/mmds', { data: 'x'.repeat(60_000) })).rejects.toThrow(
      /exceeds Firecracker's 51200/,
    );
    // What Node sends without a Content-Length: Firecracker's server cannot read it.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ socketPath: join(dir, 'api.sock'), method: 'PUT', path: '/vm' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{"state":');
      req.end('"Paused"}');
    });
    expect(chunked.status).toBe(400);
    expect(JSON.parse(chunked.body).fault_message).toMatch(/Transfer-Encoding/);
  });

  it('surfaces an injected fault with its message, status and code', async () => {
    const { api } = await fake({
      faults: [
        {
          method: 'PUT',
          path: '/vsock',
          message: 'Cannot create backend for vsock device: UnixBind(AddrInUse)',
        },
      ],
    });
    const error = await rejection(api.putVsock({ guest_cid: 3, uds_path: join(dir, 'v.sock') }));
    expect(isAetherError(error, 'ERR_FIRECRACKER_FAULT')).toBe(true);
    expect(error.message).toBe(
      'Firecracker refused PUT /vsock (400): Cannot create backend for vsock device: UnixBind(AddrInUse)',
    );
    expect(error.details?.faultMessage).toBe('Cannot create backend for vsock device: UnixBind(AddrInUse)');
    await api.putVsock({ guest_cid: 3, uds_path: join(dir, 'v.sock') }); // the fault was one-shot
  });

  it('polls until the API answers, and gives up at its deadline naming the socket', async () => {
    const apiSocket = join(dir, 'api.sock');
    const api = new FirecrackerApi(apiSocket);
    const late = setTimeout(() => {
      void FakeFirecracker.start({ apiSocket }).then((fc) => fakes.push(fc));
    }, 200);
    const started = Date.now();
    await api.waitReady(3_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    clearTimeout(late);

    const nothing = new FirecrackerApi(join(dir, 'none.sock'));
    const error = await rejection(nothing.waitReady(200));
    expect(error.code).toBe('ERR_DRIVER_FAILED');
    expect(error.message).toMatch(/none\.sock not ready after 200 ms: .*ENOENT/);
    const dead = await rejection(nothing.waitReady(5_000, () => 'code 1'));
    expect(dead.message).toMatch(/exited before its API answered: code 1/);
  });

  it('refuses a socket that is a symlink (a jailed VMM could plant one)', async () => {
    await fake();
    mkdirSync(join(dir, 'jail'));
    symlinkSync(join(dir, 'api.sock'), join(dir, 'jail', 'api.sock'));
    const error = await rejection(new FirecrackerApi(join(dir, 'jail', 'api.sock')).describeInstance());
    expect(error.message).toMatch(/is a symlink \(refused\)/);
  });
});
