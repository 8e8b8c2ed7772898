/**
 * The drivers of this build, one module each (see core/driver-module.ts). The runtime loops over
 * this list to build the configuration, open a worker's drivers, run `aether doctor` and write
 * docs/configuration.md; the API, the service and the store are handed the names and features
 * as data. A new driver is its own folder plus one entry here (docs/extending.md).
 */
import { dockerDriverModule } from './docker/module.js';
import { firecrackerDriverModule } from './firecracker/module.js';
import { processDriverModule } from './process/module.js';
import { qemuDriverModule } from './qemu/module.js';

export const DRIVER_MODULES = [
  processDriverModule,
  dockerDriverModule,
  qemuDriverModule,
  firecrackerDriverModule,
] as const;
