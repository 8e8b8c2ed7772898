import { createHash } from 'node:crypto';
import path from 'node:path';
import type { AetherConfig } from '../core/config.js';
import type { VmDriver } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { DriverName } from '../core/vm.js';
import { createDockerDriver } from '../drivers/docker/index.js';
import {
  copyAgentBundle,
  createProcessDriver,
  hiddenFromOthers,
  ROOT_SANDBOX_BASE,
} from '../drivers/process/index.js';
import { createQemuDriver } from '../drivers/qemu/index.js';
import { findVmImage } from '../images/index.js';
import { openFirecrackerDriver } from './firecracker.js';
import { agentBundlePath } from './paths.js';

/**
 * Files the process driver's sandboxes mount. When we run as root the sandbox runs as an
 * unprivileged uid, which cannot walk into private directories (a data dir under /root, a
 * mkdtemp dir, a checkout in either): then the VM files go to a per-data-dir folder under
 * /var/lib/aether and the agent bundle is copied there (the test fixtures copy it the same way).
 */
function processDriverPaths(config: AetherConfig): {
  stateDir: string;
  agentPath: string;
  relocated: boolean;
} {
  const stateDir = path.join(config.dataDir, 'process');
  const agentPath = agentBundlePath();
  const isRoot = process.getuid?.() === 0;
  if (
    !isRoot ||
    (!hiddenFromOthers(path.join(stateDir, 'vms'), { read: false }) &&
      !hiddenFromOthers(agentPath, { read: true }))
  ) {
    return { stateDir, agentPath, relocated: false };
  }
  const key = createHash('sha256').update(config.dataDir).digest('hex').slice(0, 16);
  const shared = path.join(ROOT_SANDBOX_BASE, `process-${key}`);
  return { stateDir: shared, agentPath: copyAgentBundle(agentPath, shared), relocated: true };
}

/** The drivers named by `drivers`, or else the default driver plus `process`. */
export function enabledDrivers(config: AetherConfig): DriverName[] {
  const listed = config.drivers
    .split(',')
    .map((name) => name.trim())
    .filter((name): name is DriverName => name !== '');
  const names = new Set<DriverName>(listed.length > 0 ? listed : [config.driver, 'process']);
  names.add(config.driver);
  return [...names];
}

function openProcessDriver(config: AetherConfig, logger: Logger): { driver: VmDriver; line: string } {
  const paths = processDriverPaths(config);
  const driver = createProcessDriver(
    { stateDir: paths.stateDir, agentPath: paths.agentPath, warmPoolSize: config.warmPoolSize },
    { logger },
  );
  // Fill the pool in the background: start-up never waits for it, and a host that cannot boot
  // sandboxes reports that through health and create, not by hanging here.
  if (config.warmPoolSize > 0) void driver.warmUp().catch(() => {});
  const line = `process driver: VM files in ${paths.stateDir}${paths.relocated ? ' (the data dir is private to root)' : ''}; ${config.warmPoolSize} sandboxes kept warm`;
  return { driver, line };
}

/** Opens the docker driver and checks the engine now, so a node never starts without one. */
async function openDockerDriver(
  config: AetherConfig,
  logger: Logger,
): Promise<{ driver: VmDriver; line: string }> {
  const driver = createDockerDriver(
    {
      stateDir: path.resolve(config.dataDir, 'docker'),
      agentPath: agentBundlePath(),
      dockerHost: config.dockerHost,
      defaultImage: config.dockerImage,
      network: config.dockerNetwork,
      workerId: config.workerId,
    },
    { logger },
  );
  let engine: Awaited<ReturnType<typeof driver.engine>>;
  try {
    engine = await driver.engine();
  } catch (error) {
    await driver.close();
    throw new AetherError('ERR_ISOLATION_UNAVAILABLE', (error as Error).message, {
      cause: error,
      details: { option: 'dockerHost' },
    });
  }
  const health = await driver.health();
  const image = health.ok
    ? config.dockerImage
    : `${config.dockerImage} MISSING (run \`aether image build --docker\`)`;
  return {
    driver,
    line: `docker driver: Docker ${engine.version} (API ${engine.apiVersion}) at ${config.dockerHost}; default image ${image}`,
  };
}

/**
 * Opens the qemu driver. Its image is looked up when a VM is created (it may be built after the
 * node starts); the start-up line says what is there now and which accelerator VMs will get.
 */
async function openQemuDriver(
  config: AetherConfig,
  logger: Logger,
): Promise<{ driver: VmDriver; line: string }> {
  const stateDir = path.resolve(config.dataDir, 'qemu');
  const driver = createQemuDriver(
    {
      stateDir,
      image: () => findVmImage(config.imageDir, config.qemuImage || undefined),
      accel: config.qemuAccel,
      network: config.qemuNetwork,
      warmPool: { size: config.qemuWarmPoolSize },
    },
    { logger },
  );
  if (config.qemuWarmPoolSize > 0) {
    void driver.warmUp().catch((error: unknown) => {
      logger.warn({ err: error }, 'qemu warm pool: not filled yet (it keeps trying)');
    });
  }
  const health = await driver.health();
  const { accel, reason } = await driver.accelerator();
  const how = accel === 'kvm' ? 'KVM' : `software emulation (TCG)${reason ? `: ${reason}` : ''}`;
  return {
    driver,
    line: `qemu driver: microVMs under ${how}; VM files in ${stateDir}; ${config.qemuWarmPoolSize} VMs kept warm; ${health.ok ? health.message : `not ready: ${health.message}`}`,
  };
}

/** The drivers this node runs (see `enabledDrivers`); further microVM drivers slot in here. */
export async function openDrivers(
  config: AetherConfig,
  logger: Logger,
): Promise<{ drivers: Map<DriverName, VmDriver>; describe: string[] }> {
  const drivers = new Map<DriverName, VmDriver>();
  const describe: string[] = [];
  try {
    for (const name of enabledDrivers(config)) {
      if (name === 'process') {
        const { driver, line } = openProcessDriver(config, logger);
        drivers.set(name, driver);
        describe.push(line);
      } else if (name === 'docker') {
        const { driver, line } = await openDockerDriver(config, logger);
        drivers.set(name, driver);
        describe.push(line);
      } else if (name === 'qemu') {
        const { driver, line } = await openQemuDriver(config, logger);
        drivers.set(name, driver);
        describe.push(line);
      } else if (name === 'firecracker') {
        const { driver, line } = await openFirecrackerDriver(config, logger);
        drivers.set(name, driver);
        describe.push(line);
      } else {
        throw new AetherError('ERR_CONFIG', `the ${name} driver is not available in this build`, {
          details: { option: config.drivers ? 'drivers' : 'driver' },
        });
      }
    }
  } catch (error) {
    for (const driver of drivers.values()) await driver.close();
    throw error;
  }
  return { drivers, describe };
}
