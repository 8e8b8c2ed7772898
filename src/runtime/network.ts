/**
 * Host networking of a node: the worker's VmNetwork when one of its drivers puts VMs on the
 * bridge (qemu with `qemu.network: tap`), and the `aether network` host commands.
 */
import os from 'node:os';
import type { VmDriver } from '../core/driver.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../core/store.js';
import type { DriverName } from '../core/vm.js';
import {
  type CommandRunner,
  chooseTapSource,
  createCommandRunner,
  createVmNetwork,
  type HostChanges,
  type HostNetworkStatus,
  hostStatus,
  networkSettingsFromConfig,
  type SetupOptions,
  setupHost,
  teardownHost,
  type VmNetwork,
} from '../network/index.js';
import type { AetherConfig } from './config.js';

/** The uid owning TAPs a worker creates: `network.tap_user`, else the worker's own. */
function tapOwner(config: AetherConfig): number {
  return config.networkTapUser === '' ? (process.getuid?.() ?? 0) : Number(config.networkTapUser);
}

/**
 * The worker's host networking, when any of its drivers needs TAPs; null otherwise. A missing
 * bridge does not stop the node (VMs without network still work): the line says what to run,
 * and a VM asking for network fails with ERR_NETWORK_UNAVAILABLE naming the same command.
 */
export async function openVmNetwork(
  config: AetherConfig,
  logger: Logger,
  store: Store,
  drivers: ReadonlyMap<DriverName, VmDriver>,
  /** The group VMMs open their TAPs through, when a driver asked for one (OpenedDriver.tapGroup). */
  tapGroup?: number,
): Promise<{ network: VmNetwork; line: string } | null> {
  const users = [...drivers.values()].filter((driver) => driver.tapNetwork === true).map((d) => d.name);
  if (users.length === 0) return null;
  const tapSource = chooseTapSource(config.networkTaps);
  const network = createVmNetwork({
    store,
    run: createCommandRunner(),
    settings: networkSettingsFromConfig(config),
    host: os.hostname(),
    workerId: config.workerId,
    tapSource,
    tapOwner: tapOwner(config),
    ...(tapGroup === undefined ? {} : { tapGroup }),
    logger,
  });
  const check = await network.check();
  const how = tapSource === 'create' ? 'a TAP per VM' : 'TAPs from the pool';
  return {
    network,
    line: `network: ${users.join(', ')} VMs with network join bridge ${config.networkBridge} (${config.networkCidr}), ${how}; ${check.ok ? 'ready' : `not ready: ${check.message}`}`,
  };
}

export type NetworkAction =
  | { action: 'setup'; options: SetupOptions }
  | { action: 'teardown' }
  | { action: 'status' };

/** Runs one `aether network` command against this host with the node's network settings. */
export async function runNetworkCommand(
  config: AetherConfig,
  command: { action: 'setup'; options: SetupOptions } | { action: 'teardown' },
  run?: CommandRunner,
): Promise<HostChanges>;
export async function runNetworkCommand(
  config: AetherConfig,
  command: { action: 'status' },
  run?: CommandRunner,
): Promise<HostNetworkStatus>;
export async function runNetworkCommand(
  config: AetherConfig,
  command: NetworkAction,
  run: CommandRunner = createCommandRunner(),
): Promise<HostChanges | HostNetworkStatus> {
  const settings = networkSettingsFromConfig(config);
  if (command.action === 'setup') return setupHost(run, settings, command.options);
  if (command.action === 'teardown') return teardownHost(run, settings);
  return hostStatus(run, settings);
}
