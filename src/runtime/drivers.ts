/**
 * The drivers of a node, from the list of driver modules (src/drivers/modules.ts): which ones a
 * worker runs, opening them, checking this host for them (`aether doctor`), and what the layers
 * below the runtime are told of them.
 */

import { valuesOf } from '../core/config/option.js';
import type { VmDriver } from '../core/driver.js';
import type { DriverContext, DriverModule, HostCheckReport, OpenedDriver } from '../core/driver-module.js';
import { driverInfo } from '../core/driver-module.js';
import { AetherError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { DriverInfo, DriverName } from '../core/vm.js';
import { DRIVER_MODULES } from '../drivers/modules.js';
import { findVmImage } from '../images/index.js';
import type { AetherConfig } from './config.js';
import { agentBundlePath } from './paths.js';

const MODULES: readonly DriverModule[] = DRIVER_MODULES;

/** The driver a node always runs besides its default one when `drivers` names none. */
const ALWAYS_OPEN_DRIVER = 'process';

/** What the service, the gateway and the metrics know of the drivers of this build. */
export const DRIVER_CATALOG: readonly DriverInfo[] = MODULES.map(driverInfo);

/** The drivers named by `drivers`, or else the default driver plus `process`. */
export function enabledDrivers(config: AetherConfig): DriverName[] {
  const listed = config.drivers
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const names = new Set<DriverName>(listed.length > 0 ? listed : [config.driver, ALWAYS_OPEN_DRIVER]);
  names.add(config.driver);
  return [...names];
}

function moduleNamed(name: DriverName, config: AetherConfig): DriverModule {
  const module = MODULES.find((candidate) => candidate.name === name);
  if (!module) {
    throw new AetherError('ERR_CONFIG', `the ${name} driver is not available in this build`, {
      details: { option: config.drivers ? 'drivers' : 'driver' },
    });
  }
  return module;
}

/** What a driver module is given: its own options and the node's facts. */
function contextFor(module: DriverModule, config: AetherConfig, logger: Logger): DriverContext {
  return {
    options: valuesOf(module.options, config),
    dataDir: config.dataDir,
    workerId: config.workerId,
    agentPath: agentBundlePath(),
    findVmImage: (id) => findVmImage(config.imageDir, id),
    logger,
  };
}

export interface OpenDrivers {
  drivers: Map<DriverName, VmDriver>;
  /** One start-up line per driver. */
  describe: string[];
  /** The group VMMs open their TAPs through, when a driver asks for one. */
  tapGroup: number | undefined;
}

/** Opens the drivers this node runs (see `enabledDrivers`); on a failure, closes what opened. */
export async function openDrivers(config: AetherConfig, logger: Logger): Promise<OpenDrivers> {
  const drivers = new Map<DriverName, VmDriver>();
  const describe: string[] = [];
  let tapGroup: number | undefined;
  try {
    for (const name of enabledDrivers(config)) {
      const module = moduleNamed(name, config);
      const opened: OpenedDriver = await module.open(contextFor(module, config, logger));
      drivers.set(name, opened.driver);
      describe.push(opened.line);
      tapGroup ??= opened.tapGroup;
    }
  } catch (error) {
    for (const driver of drivers.values()) await driver.close();
    throw error;
  }
  return { drivers, describe, tapGroup };
}

/** One driver's host check, for `aether doctor`. */
export interface DriverHostCheck {
  driver: DriverName;
  /** What the check is for: `Firecracker VMs`. */
  subject: string;
  report: HostCheckReport;
}

/** Runs the host check of every driver module that has one (whichever drivers the node runs). */
export async function checkDriverHosts(config: AetherConfig, logger: Logger): Promise<DriverHostCheck[]> {
  const results: DriverHostCheck[] = [];
  for (const module of MODULES) {
    if (!module.hostCheck) continue;
    const report = await module.hostCheck.run(contextFor(module, config, logger));
    results.push({ driver: module.name, subject: module.hostCheck.subject, report });
  }
  return results;
}
