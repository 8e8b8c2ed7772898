/**
 * The firecracker driver as a plug-in (see core/driver-module.ts): a Firecracker microVM per VM
 * under KVM, jailed in production. Its host check is what `aether doctor` prints; a worker
 * refuses to open the driver while a required item fails. Its code loads when used.
 */
import path from 'node:path';
import { z } from 'zod';
import { booleanOption, type ConfigValues, defineOptions } from '../../core/config/option.js';
import { type DriverContext, defineDriver, type HostCheckReport } from '../../core/driver-module.js';
import { AetherError } from '../../core/errors.js';
import type { FirecrackerDriverSettings } from './settings.js';

const FIRECRACKER_OPTIONS = defineOptions({
  firecrackerBinary: {
    env: 'AETHER_FIRECRACKER_BIN',
    file: 'firecracker.binary',
    default: 'firecracker',
    doc: 'The firecracker binary: a path, or a name looked up on the PATH',
    schema: z.string().regex(/^[^\0\s]{1,4096}$/, 'must be a path or a program name'),
  },
  firecrackerKernel: {
    env: 'AETHER_KERNEL',
    file: 'firecracker.kernel',
    default: '',
    doc: 'Absolute path of the uncompressed guest kernel (vmlinux) firecracker VMs boot (`aether image kernel` builds it)',
    schema: z.string().refine((v) => v === '' || path.isAbsolute(v), 'must be an absolute path (or empty)'),
  },
  firecrackerImage: {
    env: 'AETHER_FIRECRACKER_IMAGE',
    file: 'firecracker.image',
    default: '',
    doc: 'Short id of the guest image firecracker VMs boot; empty = the newest one built with --vm',
    schema: z
      .string()
      .regex(/^([0-9a-f]{12}|)$/, 'must be a 12-hex-digit image id (aether image ls) or empty'),
  },
  firecrackerJailer: {
    env: 'AETHER_FIRECRACKER_JAILER',
    file: 'firecracker.jailer',
    default: true,
    doc: 'Start each VMM through the jailer (chroot, own uid, cgroup v2; needs root): true for production, false to run VMMs unjailed as the worker user',
    schema: booleanOption,
  },
  firecrackerJailerBinary: {
    env: 'AETHER_JAILER_BIN',
    file: 'firecracker.jailer_binary',
    default: 'jailer',
    doc: 'The jailer binary, from the same release as firecracker: a path, or a name looked up on the PATH',
    schema: z.string().regex(/^[^\0\s]{1,4096}$/, 'must be a path or a program name'),
  },
  firecrackerChrootBase: {
    env: 'AETHER_JAILER_CHROOT_BASE',
    file: 'firecracker.chroot_base',
    default: '/srv/jailer',
    doc: "Where the jailer makes each VM's chroot; root-owned, on the same file system as the data dir",
    schema: z.string().refine((v) => path.isAbsolute(v), 'must be an absolute path'),
  },
  firecrackerJailerUidBase: {
    env: 'AETHER_JAILER_UID_BASE',
    file: 'firecracker.jailer_uid_base',
    default: 900_000,
    doc: 'Group id of jailed VMMs; each runs as its own uid just above it (65535 of them); workers sharing a host need ranges apart',
    schema: z.coerce.number().int().min(1000).max(4_294_000_000),
  },
});

type FirecrackerContext = DriverContext<typeof FIRECRACKER_OPTIONS>;

function settingsOf({ options, dataDir, findVmImage }: FirecrackerContext): FirecrackerDriverSettings {
  return {
    stateDir: path.resolve(dataDir, 'firecracker'),
    firecrackerBinary: options.firecrackerBinary,
    kernel: options.firecrackerKernel,
    image: async () => {
      const image = await findVmImage(options.firecrackerImage || undefined);
      return { id: image.id, rootfs: image.rootfs };
    },
    jailer: jailerOf(options),
  };
}

function jailerOf(options: ConfigValues<typeof FIRECRACKER_OPTIONS>): FirecrackerDriverSettings['jailer'] {
  return options.firecrackerJailer
    ? {
        binary: options.firecrackerJailerBinary,
        chrootBaseDir: options.firecrackerChrootBase,
        uidBase: options.firecrackerJailerUidBase,
      }
    : null;
}

/** Checks this host against what the driver of `context` needs. */
async function checkHost(context: FirecrackerContext): Promise<HostCheckReport> {
  const { runFirecrackerPreflight } = await import('./preflight.js');
  const settings = settingsOf(context);
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
function hostCheckFailure(report: HostCheckReport): AetherError {
  const failed = report.checks.filter((check) => check.required && !check.ok);
  const items = failed.map((check) => `${check.title}: ${check.detail} (fix: ${check.fix})`);
  return new AetherError(
    'ERR_PREFLIGHT_FAILED',
    `this host cannot run Firecracker VMs: ${items.join('; ')}; \`aether doctor\` lists every check`,
    { details: { failed: failed.map((check) => check.item) } },
  );
}

export const firecrackerDriverModule = defineDriver({
  name: 'firecracker',
  summary:
    'Each VM is a Firecracker microVM with its own kernel under KVM, started through the jailer (chroot, own uid, cgroup v2) in production',
  features: ['image', 'network', 'snapshot', 'hibernate'],
  options: FIRECRACKER_OPTIONS,
  hostCheck: { subject: 'Firecracker VMs', run: checkHost },
  /** Runs the host check, then opens the driver; a host that fails a required item stops start-up. */
  async open(context) {
    const report = await checkHost(context);
    if (!report.ok) throw hostCheckFailure(report);
    const { createFirecrackerDriver } = await import('./firecracker-driver.js');
    const settings = settingsOf(context);
    const driver = createFirecrackerDriver(settings, { logger: context.logger });
    const warnings = report.checks
      .filter((check) => !check.ok)
      .map((check) => `${check.title}: ${check.detail}`);
    const found = report.checks.find((check) => check.item === 'firecracker')?.detail ?? '';
    return {
      driver,
      line: `firecracker driver: ${found}; ${settings.jailer ? `jailed under ${settings.jailer.chrootBaseDir}` : 'NOT jailed'}; kernel ${settings.kernel}; VM files in ${settings.stateDir}${warnings.length > 0 ? `; warnings: ${warnings.join('; ')}` : ''}`,
      // Jailed VMMs run as per-VM uids in one group: they open their TAP through the group.
      ...(settings.jailer ? { tapGroup: settings.jailer.uidBase } : {}),
    };
  },
});
