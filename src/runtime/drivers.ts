import path from 'node:path';
import type { AetherConfig } from '../core/config.js';
import type { VmDriver } from '../core/driver.js';
import type { Logger } from '../core/logger.js';
import type { DriverName } from '../core/vm.js';
import { createProcessDriver } from '../drivers/process/process-driver.js';
import { agentBundlePath } from './paths.js';

/** The drivers this node can run. Today: `process`; microVM and container drivers slot in here. */
export async function openDrivers(config: AetherConfig, logger: Logger): Promise<Map<DriverName, VmDriver>> {
  const drivers = new Map<DriverName, VmDriver>();
  drivers.set(
    'process',
    createProcessDriver(
      { stateDir: path.join(config.dataDir, 'process'), agentPath: agentBundlePath() },
      { logger: logger.child({ driver: 'process' }) },
    ),
  );
  return drivers;
}
