/**
 * Puts VMs on the host bridge: a lease in the store (address, TAP, MAC) and a TAP on the host,
 * handed to the driver as a NetworkAttachment. Rules:
 * - the store decides: an address or TAP is the VM's only once its lease row exists, so two
 *   workers on one host never hand out the same one;
 * - a TAP is made after its lease and removed before the lease is freed, so a TAP without a
 *   lease is always a leftover (reconcile removes those);
 * - attach and detach are idempotent per VM;
 * - a per-VM TAP is bound to its lease's MAC and address in the bridge table (ruleset.ts) while
 *   it exists, so its guest can only speak as itself.
 */
import { AetherError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import type { NetworkAttachment } from '../core/network-attachment.js';
import type { NetworkLease } from '../core/network-lease.js';
import type { Store } from '../core/store.js';
import type { CommandRunner } from './host-commands.js';
import { getLink } from './links.js';
import type { TapSource } from './net-admin.js';
import { guestAddressRange, type NetworkSettings } from './network-settings.js';
import { BINDINGS_SET, bindingElement, NFT_BRIDGE_FAMILY, NFT_TABLE } from './ruleset.js';
import { isVmTapName, macForVm, tapNameForVm } from './tap-names.js';
import { createTap, deleteTap, listGuestTaps } from './taps.js';

export interface VmNetworkOptions {
  store: Store;
  run: CommandRunner;
  settings: NetworkSettings;
  /** The host whose bridge this is: leases are unique per host. */
  host: string;
  workerId: string;
  /** `create`: a TAP per VM (needs CAP_NET_ADMIN); `pool`: pre-made TAPs (see net-admin.ts). */
  tapSource: TapSource;
  /** Uid owning the TAPs it creates: the uid the VMM runs as. */
  tapOwner: number;
  /** Gid that may open them too (jailed VMMs' shared group); none when unset. */
  tapGroup?: number;
  logger?: Logger;
}

export interface VmNetwork {
  readonly settings: NetworkSettings;
  readonly tapSource: TapSource;
  /** Leases an address and a TAP to the VM (or returns the ones it holds). */
  attach(vmId: string): Promise<NetworkAttachment>;
  /** Removes the VM's TAP (when this worker made it) and frees its lease; fine when it has none. */
  detach(vmId: string): Promise<void>;
  /**
   * After a restart: frees this worker's leases of VMs not in `wantedVmIds` (deleting their
   * TAPs), and removes per-VM TAPs no lease on this host holds.
   */
  reconcile(wantedVmIds: ReadonlySet<string>): Promise<{ released: number; removedTaps: number }>;
  /** Whether VMs can be attached now: the bridge is there (and, for a pool, has TAPs). */
  check(): Promise<{ ok: boolean; message: string }>;
}

export function createVmNetwork(options: VmNetworkOptions): VmNetwork {
  const { store, run, settings, host, workerId, tapSource } = options;
  const logger = (options.logger ?? silentLogger).child({ component: 'network' });
  const range = guestAddressRange(settings);

  const toAttachment = (lease: NetworkLease): NetworkAttachment => ({
    tapName: lease.tapName,
    guestMac: lease.mac,
    guestIp: lease.address,
    gatewayIp: settings.gatewayIp,
    prefixLength: settings.prefixLength,
    dnsServers: settings.dns,
  });

  const binding = (lease: NetworkLease) =>
    bindingElement({ tapName: lease.tapName, guestMac: lease.mac, guestIp: lease.address });

  /** Adding an element that is there already is no error: binding is idempotent. */
  async function bind(lease: NetworkLease): Promise<void> {
    await run(['nft', 'add', 'element', NFT_BRIDGE_FAMILY, NFT_TABLE, BINDINGS_SET, binding(lease)]);
  }

  async function unbind(lease: NetworkLease): Promise<void> {
    await run(['nft', 'delete', 'element', NFT_BRIDGE_FAMILY, NFT_TABLE, BINDINGS_SET, binding(lease)], {
      okIf: /No such file or directory|does not exist/,
    });
  }

  async function requireBridge(): Promise<void> {
    const bridge = await getLink(run, settings.bridge);
    if (bridge?.kind !== 'bridge') {
      throw new AetherError(
        'ERR_NETWORK_UNAVAILABLE',
        `no bridge ${settings.bridge} on ${host}: run \`aether network setup\` as root first`,
        { details: { bridge: settings.bridge } },
      );
    }
  }

  async function candidateTaps(vmId: string): Promise<string[]> {
    if (tapSource === 'create') return [tapNameForVm(vmId)];
    const pool = (await listGuestTaps(run)).pool.map((link) => link.name);
    if (pool.length === 0) {
      throw new AetherError(
        'ERR_NETWORK_UNAVAILABLE',
        `no pool TAPs on ${host}: run \`aether network setup --tap-pool N --tap-user <worker uid>\` as root (this worker has no CAP_NET_ADMIN to make its own)`,
      );
    }
    return pool;
  }

  async function detach(vmId: string): Promise<void> {
    const lease = await store.getNetworkLease(vmId);
    if (tapSource === 'create') {
      const tap = lease?.tapName ?? tapNameForVm(vmId);
      // Only TAPs named after a VM are ours to remove; a pool TAP goes back to the pool.
      if (isVmTapName(tap)) await deleteTap(run, tap);
      if (lease) await unbind(lease);
    }
    if (lease) {
      await store.releaseNetworkLease(vmId);
      logger.debug({ vmId, address: lease.address, tap: lease.tapName }, 'released network lease');
    }
  }

  return {
    settings,
    tapSource,
    async attach(vmId) {
      await requireBridge();
      const lease = await store.allocateNetworkLease({
        vmId,
        workerId,
        host,
        ...range,
        tapNames: await candidateTaps(vmId),
        mac: macForVm(vmId),
      });
      if (tapSource === 'create') {
        try {
          await createTap(run, {
            name: lease.tapName,
            owner: options.tapOwner,
            ...(options.tapGroup === undefined ? {} : { group: options.tapGroup }),
            bridge: settings.bridge,
          });
          await bind(lease);
        } catch (error) {
          await deleteTap(run, lease.tapName).catch(() => {});
          await store.releaseNetworkLease(vmId).catch(() => {});
          throw error;
        }
      }
      logger.debug({ vmId, address: lease.address, tap: lease.tapName }, 'attached VM to the bridge');
      return toAttachment(lease);
    },
    detach,
    async reconcile(wantedVmIds) {
      // TAPs first, leases second: a TAP is made only after its lease is written, so every TAP
      // listed here whose lease is missing below really has none.
      const taps = tapSource === 'create' ? (await listGuestTaps(run)).vm : [];
      const leases = await store.listNetworkLeases({ host });
      let released = 0;
      for (const lease of leases) {
        if (lease.workerId !== workerId) continue;
        if (wantedVmIds.has(lease.vmId)) {
          // A setup that recreated the bindings table (or a host reboot) dropped its binding.
          if (tapSource === 'create') await bind(lease);
          continue;
        }
        await detach(lease.vmId);
        released++;
      }
      const leased = new Set(leases.map((lease) => lease.tapName));
      let removedTaps = 0;
      for (const tap of taps) {
        if (leased.has(tap.name)) continue;
        await deleteTap(run, tap.name);
        removedTaps++;
      }
      if (released + removedTaps > 0)
        logger.info({ released, removedTaps }, 'reconciled network leases and TAPs with the store');
      return { released, removedTaps };
    },
    async check() {
      try {
        await requireBridge();
        if (tapSource === 'pool') {
          const pool = (await listGuestTaps(run)).pool.length;
          const leased = (await store.listNetworkLeases({ host })).length;
          return {
            ok: pool > 0,
            message: `bridge ${settings.bridge}; TAPs from the pool (${pool} made, ${leased} leases on ${host})`,
          };
        }
        return { ok: true, message: `bridge ${settings.bridge}; a TAP per VM` };
      } catch (error) {
        return { ok: false, message: (error as Error).message };
      }
    },
  };
}
