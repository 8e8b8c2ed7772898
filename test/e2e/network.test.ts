/**
 * A QEMU microVM in tap mode, created and deleted by the worker's own task handlers, on a host
 * that is a network namespace made here (see test/support/netns.ts): the worker leases the
 * address and makes the TAP, QEMU opens it, the guest gets out through the host's NAT and is
 * kept from the metadata address and the host's services; delete removes TAP and lease.
 * QEMU runs inside the namespace through a two-line wrapper, as it would run on a real host.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Store } from '../../src/core/store.js';
import type { TaskRecord } from '../../src/core/task.js';
import { createQemuDriver, type QemuDriver } from '../../src/drivers/qemu/index.js';
import { createLocalEventBus } from '../../src/events/local/local-event-bus.js';
import { findVmImage } from '../../src/images/index.js';
import { setupHost } from '../../src/network/host-setup.js';
import { getLink } from '../../src/network/links.js';
import { resolveNetworkSettings } from '../../src/network/network-settings.js';
import { createVmNetwork } from '../../src/network/vm-network.js';
import { createLocalQueue } from '../../src/queue/local/local-queue.js';
import { newCreateTask, newVmInput } from '../../src/testing/conformance/store/fixtures.js';
import { createHandlerContext, type HandlerContext } from '../../src/worker/context.js';
import { handleVmCreate } from '../../src/worker/handlers/vm-create.js';
import { handleVmDelete } from '../../src/worker/handlers/vm-delete.js';
import { IMAGE_DATA_DIR, qemuAvailable } from '../support/backends.js';
import { openMemoryStore } from '../support/memory-store.js';
import {
  CONNECT_PROBE,
  createNetnsLab,
  createUplinkedHost,
  LAB,
  type Namespace,
  type NetnsLab,
  netnsAvailable,
} from '../support/netns.js';

const available = (await netnsAvailable()) && (await qemuAvailable());

describe.skipIf(!available)('qemu VMs on the host bridge (tap mode)', { timeout: 600_000 }, () => {
  let lab: NetnsLab;
  let host: Namespace;
  let dir: string;
  let store: Store;
  let driver: QemuDriver;
  let ctx: HandlerContext;
  const settings = resolveNetworkSettings({
    bridge: 'aetherium0',
    cidr: '172.16.0.1/24',
    dns: [LAB.publicAddress],
  });

  beforeAll(async () => {
    lab = createNetnsLab();
    console.info(`network namespaces: ${lab.prefix}-*`);
    ({ host } = await createUplinkedHost(lab));
    await setupHost(host.run, settings);

    dir = mkdtempSync(path.join(os.tmpdir(), 'aether-net-'));
    const wrapper = path.join(dir, 'qemu-in-netns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${host.name} qemu-system-x86_64 "$@"\n`);
    chmodSync(wrapper, 0o755);
    driver = createQemuDriver({
      stateDir: path.join(dir, 'qemu'),
      image: () => findVmImage(IMAGE_DATA_DIR),
      network: 'tap',
      // What this test is about is the network; a KVM attempt first (auto) only doubles the boot.
      accel: 'tcg',
      qemuBinary: wrapper,
      bootTimeoutMs: 180_000,
    });

    store = await openMemoryStore();
    const network = createVmNetwork({
      store,
      run: host.run,
      settings,
      host: `${lab.prefix}-host`,
      workerId: 'w-net',
      tapSource: 'create',
      tapOwner: 0,
    });
    ctx = createHandlerContext(
      {
        store,
        queue: createLocalQueue(),
        events: createLocalEventBus(),
        drivers: new Map([['qemu', driver]]),
        logger: silentLogger,
        network,
      },
      {
        workerId: 'w-net',
        host: `${lab.prefix}-host`,
        version: 'test',
        concurrency: 1,
        heartbeatIntervalMs: 1000,
        leaseMs: 3000,
        drainTimeoutMs: 1000,
        outputLimitBytes: 1 << 20,
        reconcileIntervalMs: 60_000,
      },
    );
  }, 120_000);

  afterAll(async () => {
    await driver?.close();
    await store?.close();
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function guestRun(vmId: string, argv: string[]): Promise<string> {
    let out = '';
    const result = await driver.exec(
      vmId,
      { argv, timeoutMs: 120_000 },
      {
        onStdout: (chunk) => {
          out += Buffer.from(chunk).toString();
        },
      },
    );
    expect(result.exitCode, `${argv.join(' ')}: ${out}`).toBe(0);
    return out.trim();
  }

  let tapName = '';

  it('leases a TAP that QEMU opens, lets the guest out through NAT only, and frees it all on delete', async () => {
    const vm = await store.insertVm(newVmInput({ driver: 'qemu', network: true }));
    const task = (await store.insertTask(newCreateTask(vm.id))) as TaskRecord<'vm:create'>;
    const created = await handleVmCreate(ctx, task, new AbortController().signal);
    expect(created).toEqual({ vmId: vm.id, status: 'running' });
    try {
      const lease = await store.getNetworkLease(vm.id);
      expect(lease).toMatchObject({ address: '172.16.0.2', workerId: 'w-net' });
      tapName = lease!.tapName;
      const tap = await getLink(host.run, lease!.tapName);
      expect(tap).toMatchObject({ master: 'aetherium0', isolated: true, up: true });
      const { stdout } = await host.run(['ip', '-j', 'link', 'show', 'dev', lease!.tapName]);
      // Carrier: QEMU holds the TAP open.
      expect(JSON.parse(stdout)[0].flags).toContain('LOWER_UP');

      const cmdline = await guestRun(vm.id, ['cat', '/proc/cmdline']);
      expect(cmdline).toContain(`ip=172.16.0.2::172.16.0.1:255.255.255.0::eth0:off:${LAB.publicAddress}`);
      const mac = await guestRun(vm.id, ['cat', '/sys/class/net/eth0/address']);
      expect(mac).toBe(lease!.mac);
      // The guest's init applied ip= (aether.net=tap): its address and route are the lease's.
      expect(await guestRun(vm.id, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'])).toContain(
        '172.16.0.2/24',
      );
      expect(await guestRun(vm.id, ['ip', 'route', 'show', 'default'])).toContain('default via 172.16.0.1');
      // And the DNS server of the settings, as the resolver.
      expect(await guestRun(vm.id, ['cat', '/etc/resolv.conf'])).toBe(`nameserver ${LAB.publicAddress}`);
      const probe = async (address: string, port: string) =>
        guestRun(vm.id, ['node', '-e', CONNECT_PROBE, address, port, '3000']);
      expect(await probe(LAB.publicAddress, LAB.servicePort)).toBe(`ok ${LAB.uplinkHost}`);
      expect(await probe(LAB.metadataAddress, LAB.servicePort)).toMatch(/^fail /);
      expect(await probe('172.16.0.1', LAB.hostServicePort)).toMatch(/^fail /);
    } finally {
      const deleteTask = await store.insertTask({
        id: newId(),
        project: vm.project,
        type: 'vm:delete',
        priority: 'default',
        payload: { vmId: vm.id },
        vmId: vm.id,
        maxRetries: 0,
        timeoutMs: 60_000,
      });
      await handleVmDelete(ctx, deleteTask as TaskRecord<'vm:delete'>, new AbortController().signal);
    }
    expect(await store.getNetworkLease(vm.id)).toBeNull();
    expect(await getLink(host.run, tapName)).toBeNull();
  });
});
