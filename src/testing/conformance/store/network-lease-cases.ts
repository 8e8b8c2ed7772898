import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId } from '../../../core/ids.js';
import type { NetworkLeaseRequest } from '../../../core/network-lease.js';
import { expectCode, newVmInput, type SuiteContext } from './fixtures.js';

/** A host name of its own per case, so cases never see each other's leases. */
function uniqueHost(): string {
  return `host-${randomUUID().slice(0, 8)}`;
}

function leaseRequest(vmId: string, overrides: Partial<NetworkLeaseRequest> = {}): NetworkLeaseRequest {
  return {
    vmId,
    workerId: 'w-net',
    host: 'host-a',
    firstAddress: '172.16.0.1',
    count: 254,
    reserved: ['172.16.0.1'],
    tapNames: [`aeth${vmId.replaceAll('-', '').slice(0, 11)}`],
    mac: '02:aa:bb:cc:dd:ee',
    ...overrides,
  };
}

export function describeNetworkLeaseCases(ctx: SuiteContext): void {
  describe('network leases', () => {
    it('leases the lowest free address past the reserved one, once per VM', async () => {
      const store = ctx.store();
      const host = uniqueHost();
      const a = await store.insertVm(newVmInput());
      const b = await store.insertVm(newVmInput());
      const first = await store.allocateNetworkLease(leaseRequest(a.id, { host }));
      expect(first).toMatchObject({ vmId: a.id, host, workerId: 'w-net', address: '172.16.0.2' });
      expect(first.allocatedAt).toBeInstanceOf(Date);
      // Asking again for the same VM returns its lease unchanged.
      expect(await store.allocateNetworkLease(leaseRequest(a.id, { host }))).toEqual(first);
      const second = await store.allocateNetworkLease(leaseRequest(b.id, { host }));
      expect(second.address).toBe('172.16.0.3');
      expect(await store.getNetworkLease(b.id)).toEqual(second);
      expect((await store.listNetworkLeases({ host })).map((l) => l.address)).toEqual([
        '172.16.0.2',
        '172.16.0.3',
      ]);
    });

    it('frees an address on release and hands the lowest one out next', async () => {
      const store = ctx.store();
      const host = uniqueHost();
      const vms = await Promise.all([1, 2, 3].map(() => store.insertVm(newVmInput())));
      for (const vm of vms) await store.allocateNetworkLease(leaseRequest(vm.id, { host }));
      const released = await store.releaseNetworkLease(vms[0]!.id);
      expect(released?.address).toBe('172.16.0.2');
      expect(await store.releaseNetworkLease(vms[0]!.id)).toBeNull();
      expect(await store.getNetworkLease(vms[0]!.id)).toBeNull();
      const later = await store.insertVm(newVmInput());
      expect((await store.allocateNetworkLease(leaseRequest(later.id, { host }))).address).toBe('172.16.0.2');
    });

    it('takes the first TAP of a pool that no lease on the host holds', async () => {
      const store = ctx.store();
      const host = uniqueHost();
      const pool = ['aethpool0', 'aethpool1'];
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => store.insertVm(newVmInput())));
      expect((await store.allocateNetworkLease(leaseRequest(a!.id, { host, tapNames: pool }))).tapName).toBe(
        'aethpool0',
      );
      expect((await store.allocateNetworkLease(leaseRequest(b!.id, { host, tapNames: pool }))).tapName).toBe(
        'aethpool1',
      );
      await expectCode(
        store.allocateNetworkLease(leaseRequest(c!.id, { host, tapNames: pool })),
        'ERR_NETWORK_EXHAUSTED',
      );
      await store.releaseNetworkLease(a!.id);
      expect((await store.allocateNetworkLease(leaseRequest(c!.id, { host, tapNames: pool }))).tapName).toBe(
        'aethpool0',
      );
    });

    it('fails with ERR_NETWORK_EXHAUSTED when every address is leased', async () => {
      const store = ctx.store();
      const host = uniqueHost();
      const range = { host, firstAddress: '10.9.0.1', count: 3, reserved: ['10.9.0.1'] };
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => store.insertVm(newVmInput())));
      await store.allocateNetworkLease(leaseRequest(a!.id, range));
      await store.allocateNetworkLease(leaseRequest(b!.id, range));
      await expectCode(store.allocateNetworkLease(leaseRequest(c!.id, range)), 'ERR_NETWORK_EXHAUSTED');
      expect(await store.getNetworkLease(c!.id)).toBeNull();
    });

    it('keeps hosts apart: the same address and TAP name on two hosts', async () => {
      const store = ctx.store();
      const tapNames = ['aethpool0'];
      const a = await store.insertVm(newVmInput());
      const b = await store.insertVm(newVmInput());
      const [hostA, hostB] = [uniqueHost(), uniqueHost()];
      const onA = await store.allocateNetworkLease(leaseRequest(a.id, { host: hostA, tapNames }));
      const onB = await store.allocateNetworkLease(leaseRequest(b.id, { host: hostB, tapNames }));
      expect([onA.address, onA.tapName]).toEqual([onB.address, onB.tapName]);
      expect((await store.listNetworkLeases({ host: hostA })).map((l) => l.vmId)).toEqual([a.id]);
      expect(await store.listNetworkLeases({ host: hostA, workerId: 'someone-else' })).toEqual([]);
    });

    it('refuses a lease for a VM the store does not have', async () => {
      await expectCode(
        ctx.store().allocateNetworkLease(leaseRequest(newId(), { host: uniqueHost() })),
        'ERR_VM_NOT_FOUND',
      );
    });

    it('gives 50 concurrent allocations on one host 50 distinct addresses and TAPs', async () => {
      const store = ctx.store();
      const host = uniqueHost();
      const vms = await Promise.all(Array.from({ length: 50 }, () => store.insertVm(newVmInput())));
      const pool = Array.from({ length: 60 }, (_, i) => `aethpool${i}`);
      const leases = await Promise.all(
        vms.map((vm, i) =>
          store.allocateNetworkLease(
            leaseRequest(vm.id, { host, workerId: `w-${i % 3}`, tapNames: i % 2 === 0 ? pool : [`own${i}`] }),
          ),
        ),
      );
      expect(new Set(leases.map((l) => l.address)).size).toBe(50);
      expect(new Set(leases.map((l) => l.tapName)).size).toBe(50);
      // Lowest first: the 50 leases fill .2 to .51 with no gap.
      const lastOctets = leases.map((l) => Number(l.address.split('.')[3])).sort((x, y) => x - y);
      expect(lastOctets).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
      expect((await store.listNetworkLeases({ host })).length).toBe(50);
    }, 60_000);
  });
}
