/**
 * Host networking for real, as root, inside network namespaces the test makes:
 *   host    plays the worker's host: bridge, TAPs, nftables, forwarding (all set up by our code);
 *   outside the rest of the world, on the host's uplink veth: a public address, a private one
 *           and the metadata address 169.254.169.254, each with a server echoing the peer address;
 *   g1, g2  two guests: a veth pair into their own namespace stands in for a VM's NIC (a TAP with
 *           no VMM behind it carries no traffic), attached to the bridge like a TAP.
 * Nothing leaves these namespaces; all of them are deleted at the end.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../test/support/memory-store.js';
import {
  CONNECT_PROBE,
  createNetnsLab,
  createUplinkedHost,
  ECHO_PEER_SERVER,
  LAB,
  type Namespace,
  type NetnsLab,
  netnsAvailable,
} from '../../test/support/netns.js';
import { isAetherError } from '../core/errors.js';
import { kernelIpArg, type NetworkAttachment } from '../core/network-attachment.js';
import type { Store } from '../core/store.js';
import { newVmInput } from '../testing/conformance/store/fixtures.js';
import { hostStatus, setupHost, teardownHost } from './host-setup.js';
import { getLink, joinBridge } from './links.js';
import { type NetworkSettings, resolveNetworkSettings } from './network-settings.js';
import { tapNameForVm } from './tap-names.js';
import { createTap } from './taps.js';
import { createVmNetwork } from './vm-network.js';

const available = await netnsAvailable();

const UPLINK_HOST = LAB.uplinkHost;
const PUBLIC_ADDRESS = LAB.publicAddress;
const PRIVATE_ADDRESS = LAB.privateAddress;
const METADATA_ADDRESS = LAB.metadataAddress;
const SERVICE_PORT = LAB.servicePort;
const HOST_SERVICE_PORT = LAB.hostServicePort;
const PROBE_TIMEOUT_MS = '1500';

describe.skipIf(!available)('host networking in network namespaces', { timeout: 120_000 }, () => {
  let lab: NetnsLab;
  let host: Namespace;
  let store: Store;
  // The guests' resolver sits in a private range: reachable on port 53, nothing else.
  const settings = (allow: string[] = []): NetworkSettings =>
    resolveNetworkSettings({ bridge: 'aetherium0', cidr: '172.16.0.1/24', allow, dns: [PRIVATE_ADDRESS] });

  beforeAll(async () => {
    lab = createNetnsLab();
    console.info(`network namespaces: ${lab.prefix}-*`);
    let outside: Namespace;
    ({ host, outside } = await createUplinkedHost(lab));
    await lab.serve(outside, ECHO_PEER_SERVER, ['0.0.0.0', '53']);

    store = await openMemoryStore();
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await lab?.destroy();
  });

  /** A guest: its own namespace, a veth into the bridge (isolated like a TAP), the leased address. */
  async function guest(role: string, attachment: NetworkAttachment): Promise<Namespace> {
    const ns = await lab.namespace(role);
    const port = `v${role}`;
    await host.run(['ip', 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.name]);
    await joinBridge(host.run, 'aetherium0', port);
    await ns.run(['ip', 'link', 'set', 'eth0', 'address', attachment.guestMac]);
    await ns.run(['ip', 'addr', 'add', `${attachment.guestIp}/${attachment.prefixLength}`, 'dev', 'eth0']);
    await ns.run(['ip', 'link', 'set', 'eth0', 'up']);
    await ns.run(['ip', 'route', 'add', 'default', 'via', attachment.gatewayIp]);
    return ns;
  }

  const probe = (from: Namespace, address: string, port: string = SERVICE_PORT) =>
    lab.node(from, CONNECT_PROBE, [address, port, PROBE_TIMEOUT_MS]);

  const network = (tapSource: 'create' | 'pool' = 'create', workerId = 'w-1') =>
    createVmNetwork({
      store,
      run: host.run,
      settings: settings(),
      host: `${lab.prefix}-host`,
      workerId,
      tapSource,
      tapOwner: 0,
    });

  it('sets up bridge, forwarding and rules, and a second setup changes nothing', async () => {
    const first = await setupHost(host.run, settings());
    expect(first.changes.join('\n')).toMatch(/created bridge aetherium0/);
    expect(first.changes.join('\n')).toMatch(/created nftables table inet aetherium/);
    expect(first.changes.join('\n')).toMatch(/created nftables table bridge aetherium/);
    const before = (await host.run(['nft', 'list', 'table', 'inet', 'aetherium'])).stdout;
    expect(before).toContain('masquerade');
    const again = await setupHost(host.run, settings());
    expect(again.changes).toEqual([]);
    expect((await host.run(['nft', 'list', 'table', 'inet', 'aetherium'])).stdout).toBe(before);
    const status = await hostStatus(host.run, settings());
    expect(status).toMatchObject({
      bridge: { name: 'aetherium0', exists: true, up: true, addresses: ['172.16.0.1/24'] },
      forwarding: true,
      rules: 'current',
      problems: [],
    });
  });

  it('gives each VM a TAP on the bridge and a lease, and takes both back on detach', async () => {
    const net = network();
    const [a, b] = [await store.insertVm(newVmInput()), await store.insertVm(newVmInput())];
    const attachA = await net.attach(a.id);
    const attachB = await net.attach(b.id);
    expect(attachA).toMatchObject({
      tapName: tapNameForVm(a.id),
      guestIp: '172.16.0.2',
      gatewayIp: '172.16.0.1',
      prefixLength: 24,
    });
    expect(attachA.guestMac).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(attachB.guestIp).toBe('172.16.0.3');
    expect(kernelIpArg(attachA)).toBe(`ip=172.16.0.2::172.16.0.1:255.255.255.0::eth0:off:${PRIVATE_ADDRESS}`);
    // Attaching again is the same attachment, not a second lease.
    expect(await net.attach(a.id)).toEqual(attachA);
    const tap = await getLink(host.run, attachA.tapName);
    expect(tap).toMatchObject({
      kind: 'tun',
      tunType: 'tap',
      master: 'aetherium0',
      isolated: true,
      up: true,
    });
    expect((await store.getNetworkLease(a.id))?.tapName).toBe(attachA.tapName);

    await net.detach(a.id);
    await net.detach(a.id);
    expect(await getLink(host.run, attachA.tapName)).toBeNull();
    expect(await store.getNetworkLease(a.id)).toBeNull();
    await net.detach(b.id);
  });

  it('lets a guest out through NAT, and keeps it from the host, metadata, private ranges and other guests', async () => {
    const net = network();
    const [a, b] = [await store.insertVm(newVmInput()), await store.insertVm(newVmInput())];
    const g1 = await guest('g1', await net.attach(a.id));
    const attachB = await net.attach(b.id);
    const g2 = await guest('g2', attachB);
    await lab.serve(g2, ECHO_PEER_SERVER, ['0.0.0.0', SERVICE_PORT]);
    try {
      // Controls: what is blocked below is up and reachable from elsewhere.
      expect(await probe(host, attachB.guestIp)).toBe('ok 172.16.0.1');
      expect(await probe(host, '127.0.0.1', HOST_SERVICE_PORT)).toBe('ok 127.0.0.1');
      expect(await probe(host, PRIVATE_ADDRESS)).toBe(`ok ${UPLINK_HOST}`);

      const [out, gateway, uplink, metadata, privateNet, otherGuest, dns] = await Promise.all([
        probe(g1, PUBLIC_ADDRESS),
        probe(g1, '172.16.0.1', HOST_SERVICE_PORT),
        probe(g1, UPLINK_HOST, HOST_SERVICE_PORT),
        probe(g1, METADATA_ADDRESS),
        probe(g1, PRIVATE_ADDRESS),
        probe(g1, attachB.guestIp),
        probe(g1, PRIVATE_ADDRESS, '53'),
      ]);
      // The resolver, though private: port 53 only.
      expect(dns).toBe(`ok ${UPLINK_HOST}`);
      // Masqueraded: the outside sees the host's uplink address, not the guest's.
      expect(out).toBe(`ok ${UPLINK_HOST}`);
      expect(gateway).toMatch(/^fail /);
      expect(uplink).toMatch(/^fail /);
      expect(metadata).toMatch(/^fail /);
      expect(privateNet).toMatch(/^fail /);
      expect(otherGuest).toMatch(/^fail /);
    } finally {
      await net.detach(a.id);
      await net.detach(b.id);
    }
  });

  /** Gives a guest's NIC this MAC and address (and the default route), from scratch. */
  async function configure(ns: Namespace, mac: string, ip: string): Promise<void> {
    await ns.run(['ip', 'link', 'set', 'eth0', 'down']);
    await ns.run(['ip', 'addr', 'flush', 'dev', 'eth0']);
    await ns.run(['ip', 'link', 'set', 'eth0', 'address', mac]);
    await ns.run(['ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    await ns.run(['ip', 'link', 'set', 'eth0', 'up']);
    await ns.run(['ip', 'route', 'add', 'default', 'via', '172.16.0.1']);
  }

  it("binds each VM's TAP to its MAC and address: a guest speaking as another is dropped", async () => {
    const net = network();
    const [a, b] = [await store.insertVm(newVmInput()), await store.insertVm(newVmInput())];
    const attachA = await net.attach(a.id);
    const attachB = await net.attach(b.id);
    const bindings = async () =>
      (await host.run(['nft', 'list', 'set', 'bridge', 'aetherium', 'guest_bindings'])).stdout;
    expect(await bindings()).toContain(`"${attachA.tapName}" . ${attachA.guestMac} . ${attachA.guestIp}`);
    expect(await bindings()).toContain(`"${attachB.tapName}" . ${attachB.guestMac} . ${attachB.guestIp}`);

    // A TAP carries nothing without a VMM: a veth under the TAP's own name stands in for it.
    const g = await lab.namespace('g5');
    await host.run(['ip', 'link', 'del', attachA.tapName]);
    await host.run([
      'ip',
      'link',
      'add',
      attachA.tapName,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      g.name,
    ]);
    await joinBridge(host.run, 'aetherium0', attachA.tapName);
    try {
      await configure(g, attachA.guestMac, attachA.guestIp);
      expect(await probe(g, PUBLIC_ADDRESS)).toBe(`ok ${UPLINK_HOST}`);
      // Another VM's address: its frames never reach the bridge (nor does its ARP).
      await configure(g, attachA.guestMac, attachB.guestIp);
      expect(await probe(g, PUBLIC_ADDRESS)).toMatch(/^fail /);
      // An address no VM has, in the subnet.
      await configure(g, attachA.guestMac, '172.16.0.200');
      expect(await probe(g, PUBLIC_ADDRESS)).toMatch(/^fail /);
      // Its own address behind another VM's MAC.
      await configure(g, attachB.guestMac, attachA.guestIp);
      expect(await probe(g, PUBLIC_ADDRESS)).toMatch(/^fail /);
      // Itself again: through.
      await configure(g, attachA.guestMac, attachA.guestIp);
      expect(await probe(g, PUBLIC_ADDRESS)).toBe(`ok ${UPLINK_HOST}`);
      const dropped = (await host.run(['nft', 'list', 'chain', 'bridge', 'aetherium', 'guest_frames']))
        .stdout;
      expect(dropped).toMatch(/counter packets [1-9]\d* bytes \d+ drop/);
    } finally {
      await net.detach(a.id);
      await net.detach(b.id);
    }
    expect(await bindings()).not.toContain(attachA.guestIp);
    expect(await bindings()).not.toContain(attachB.guestIp);
  });

  it('opens an allow-listed range to guests by rewriting the rules, and only that range', async () => {
    const net = network();
    const vm = await store.insertVm(newVmInput());
    const g3 = await guest('g3', await net.attach(vm.id));
    try {
      const changed = await setupHost(host.run, settings(['10.200.0.0/24']));
      // The egress rules only: the bindings table (and its VMs' bindings) stays.
      expect(changed.changes).toEqual(['replaced nftables table inet aetherium (NAT, egress rules)']);
      expect(await probe(g3, PRIVATE_ADDRESS)).toBe(`ok ${UPLINK_HOST}`);
      expect(await probe(g3, METADATA_ADDRESS)).toMatch(/^fail /);
    } finally {
      await setupHost(host.run, settings());
      await net.detach(vm.id);
    }
    expect(await probe(g3, PRIVATE_ADDRESS)).toMatch(/^fail /);
  });

  it('reconciles: frees leases of VMs no longer wanted, removes TAPs no lease holds', async () => {
    const net = network('create', 'w-reconcile');
    const [kept, gone] = [await store.insertVm(newVmInput()), await store.insertVm(newVmInput())];
    const keptTap = (await net.attach(kept.id)).tapName;
    const goneTap = (await net.attach(gone.id)).tapName;
    // A TAP left by a crash between its creation and its lease, or after a lost release.
    const stray = tapNameForVm(randomUUID());
    await createTap(host.run, { name: stray, owner: 0, bridge: 'aetherium0' });
    // Another worker's lease on this host is not this worker's to free.
    const other = await store.insertVm(newVmInput());
    const otherTap = (await network('create', 'w-other').attach(other.id)).tapName;

    expect(await net.reconcile(new Set([kept.id]))).toEqual({ released: 1, removedTaps: 1 });
    expect(await getLink(host.run, keptTap)).not.toBeNull();
    expect(await getLink(host.run, otherTap)).not.toBeNull();
    expect(await getLink(host.run, goneTap)).toBeNull();
    expect(await getLink(host.run, stray)).toBeNull();
    expect(await store.getNetworkLease(gone.id)).toBeNull();
    expect(await store.getNetworkLease(kept.id)).not.toBeNull();
    expect(await net.reconcile(new Set([kept.id]))).toEqual({ released: 0, removedTaps: 0 });
    await net.detach(kept.id);
    await network('create', 'w-other').detach(other.id);
  });

  it('hands out pool TAPs to a worker that cannot make its own, and keeps them on detach', async () => {
    const made = await setupHost(host.run, settings(), { tapPool: 2, tapUser: 0 });
    expect(made.changes).toEqual(['made pool TAP aethpool0', 'made pool TAP aethpool1']);
    expect((await setupHost(host.run, settings(), { tapPool: 2, tapUser: 0 })).changes).toEqual([]);
    const pool = network('pool', 'w-pool');
    const vms = await Promise.all([1, 2, 3].map(() => store.insertVm(newVmInput())));
    expect((await pool.attach(vms[0]!.id)).tapName).toBe('aethpool0');
    expect((await pool.attach(vms[1]!.id)).tapName).toBe('aethpool1');
    const exhausted = await pool.attach(vms[2]!.id).catch((error: unknown) => error);
    expect(isAetherError(exhausted, 'ERR_NETWORK_EXHAUSTED'), String(exhausted)).toBe(true);
    await pool.detach(vms[0]!.id);
    expect(await getLink(host.run, 'aethpool0')).toMatchObject({ master: 'aetherium0', isolated: true });
    expect((await pool.attach(vms[2]!.id)).tapName).toBe('aethpool0');
    for (const vm of vms) await pool.detach(vm.id);
    expect((await pool.check()).ok).toBe(true);
  });

  it('teardown removes the table, every guest TAP and the bridge', async () => {
    const vm = await store.insertVm(newVmInput());
    await network().attach(vm.id);
    const removed = await teardownHost(host.run, settings());
    expect(removed.changes).toContain('deleted nftables table inet aetherium');
    expect(removed.changes).toContain('deleted nftables table bridge aetherium');
    expect(removed.changes).toContain('deleted bridge aetherium0');
    expect(removed.changes).toContain('deleted TAP aethpool0');
    expect(removed.changes).toContain(`deleted TAP ${tapNameForVm(vm.id)}`);
    const status = await hostStatus(host.run, settings());
    expect(status).toMatchObject({ bridge: { exists: false }, rules: 'missing', vmTaps: [], poolTaps: [] });
    expect((await teardownHost(host.run, settings())).changes).toEqual([]);
    const attach = await network()
      .attach(vm.id)
      .catch((error: unknown) => error);
    expect(isAetherError(attach, 'ERR_NETWORK_UNAVAILABLE'), String(attach)).toBe(true);
    await store.releaseNetworkLease(vm.id);
  });
});
