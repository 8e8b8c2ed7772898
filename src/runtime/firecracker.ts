/**
 * The firecracker driver from a node's config: its settings, the host preflight (`aether doctor`
 * prints it; a worker refuses to start while a required item fails), and opening the driver.
 */
import path from 'node:path';
import type { AetherConfig } from '../core/config.js';
import { AetherError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import {
  createFirecrackerDriver,
  type FirecrackerDriver,
  type FirecrackerDriverSettings,
  type PreflightReport,
  runFirecrackerPreflight,
} from '../drivers/firecracker/index.js';
import { findVmImage } from '../images/index.js';

export type { PreflightCheck, PreflightReport } from '../drivers/firecracker/index.js';

export function firecrackerSettings(config: AetherConfig): FirecrackerDriverSettings {
  return {
    stateDir: path.resolve(config.dataDir, 'firecracker'),
    firecrackerBinary: config.firecrackerBinary,
    kernel: config.firecrackerKernel,
    image: async () => {
      const image = await findVmImage(config.imageDir, config.firecrackerImage || undefined);
      return { id: image.id, rootfs: image.rootfs };
    },
    jailer: config.firecrackerJailer
      ? {
          binary: config.firecrackerJailerBinary,
          chrootBaseDir: config.firecrackerChrootBase,
          uidBase: config.firecrackerJailerUidBase,
        }
      : null,
  };
}

/** Checks this host against what the firecracker driver of `config` needs. */
export function firecrackerPreflight(config: AetherConfig): Promise<PreflightReport> {
  const settings = firecrackerSettings(config);
  return runFirecrackerPreflight({
    firecrackerBinary: settings.firecrackerBinary ?? 'firecracker',
    jailer: settings.jailer
      ? { binary: settings.jailer.binary, chrootBaseDir: settings.jailer.chrootBaseDir }
      : null,
    kernel: settings.kernel,
    image: settings.image,
    stateDir: settings.stateDir,
  });
}

/** One line naming every required item that failed, with its fix. */
export function preflightFailure(report: PreflightReport): AetherError {
  const failed = report.checks.filter((check) => check.required && !check.ok);
  const items = failed.map((check) => `${check.title}: ${check.detail} (fix: ${check.fix})`);
  return new AetherError(
    'ERR_PREFLIGHT_FAILED',
    `this host cannot run Firecracker VMs: ${items.join('; ')}; \`aether doctor\` lists every check`,
    { details: { failed: failed.map((check) => check.item) } },
  );
}

/** Runs the preflight, then opens the driver; a host that fails a required item stops start-up. */
export async function openFirecrackerDriver(
  config: AetherConfig,
  logger: Logger,
): Promise<{ driver: FirecrackerDriver; line: string }> {
  const report = await firecrackerPreflight(config);
  if (!report.ok) throw preflightFailure(report);
  const settings = firecrackerSettings(config);
  const driver = createFirecrackerDriver(settings, { logger });
  const warnings = report.checks
    .filter((check) => !check.ok)
    .map((check) => `${check.title}: ${check.detail}`);
  const found = report.checks.find((check) => check.item === 'firecracker')?.detail ?? '';
  return {
    driver,
    line: `firecracker driver: ${found}; ${settings.jailer ? `jailed under ${settings.jailer.chrootBaseDir}` : 'NOT jailed'}; kernel ${settings.kernel}; VM files in ${settings.stateDir}${warnings.length > 0 ? `; warnings: ${warnings.join('; ')}` : ''}`,
  };
}
