/**
 * The guest kernel's configuration: the committed fragment (`firecracker-kernel.config`) and the
 * check that the kernel's own .config kept every option of it. Kconfig silently drops an option
 * whose name the source no longer knows or whose dependency is off, so a build that only merged
 * the fragment could produce a kernel that cannot see its disk; the check turns that into an
 * error naming the option.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AetherError } from '../core/errors.js';

/** The fragment, next to this module in src/ and copied next to it in dist/ by the build. */
export const KERNEL_CONFIG_FRAGMENT = path.join(import.meta.dirname, 'firecracker-kernel.config');

/**
 * What the Firecracker driver and the guest image cannot do without: a 64-bit PVH kernel with
 * virtio-mmio devices from the command line, the root disk (virtio-blk, ext4), the agent's vsock,
 * virtio-net with `ip=`, the serial console, and the file systems /sbin/aether-init mounts.
 */
export const DRIVER_REQUIRED_OPTIONS: readonly string[] = [
  'CONFIG_64BIT',
  'CONFIG_KVM_GUEST',
  'CONFIG_PVH',
  'CONFIG_VIRTIO_MMIO',
  'CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES',
  'CONFIG_VIRTIO_BLK',
  'CONFIG_VIRTIO_NET',
  'CONFIG_VSOCKETS',
  'CONFIG_VIRTIO_VSOCKETS',
  'CONFIG_EXT4_FS',
  'CONFIG_TMPFS',
  'CONFIG_DEVTMPFS',
  'CONFIG_PROC_FS',
  'CONFIG_SYSFS',
  'CONFIG_UNIX',
  'CONFIG_INET',
  'CONFIG_IP_PNP',
  'CONFIG_SERIAL_8250',
  'CONFIG_SERIAL_8250_CONSOLE',
  'CONFIG_UNIX98_PTYS',
  'CONFIG_CGROUPS',
  'CONFIG_SECCOMP',
  'CONFIG_BINFMT_ELF',
];

/** Options the driver needs switched off: everything is built in, there is nothing to load. */
export const DRIVER_FORBIDDEN_OPTIONS: readonly string[] = ['CONFIG_MODULES'];

/** A parsed configuration: options set (`=y`, `=m`, `="text"`, `=123`) and options written as "is not set". */
export interface KernelConfig {
  values: ReadonlyMap<string, string>;
  unset: ReadonlySet<string>;
}

const SET_LINE = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const UNSET_LINE = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;

/** Parses .config (or fragment) text; comments other than "is not set" and blank lines are ignored. */
export function parseKernelConfig(text: string): KernelConfig {
  const values = new Map<string, string>();
  const unset = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const set = SET_LINE.exec(line);
    if (set) {
      values.set(set[1]!, set[2]!);
      unset.delete(set[1]!);
      continue;
    }
    const off = UNSET_LINE.exec(line);
    if (off) {
      unset.add(off[1]!);
      values.delete(off[1]!);
    }
  }
  return { values, unset };
}

export interface ConfigMismatch {
  /** Wanted `=y`, but the kernel's .config has it unset, as a module, or absent (renamed or unknown). */
  missing: string[];
  /** Wanted unset, but the kernel's .config sets it. */
  unwanted: string[];
}

/** What `actual` (the kernel's .config) lacks of `wanted` (the fragment); both lists empty when it kept it all. */
export function compareKernelConfig(wanted: KernelConfig, actual: KernelConfig): ConfigMismatch {
  const missing = [...wanted.values]
    .filter(([name, value]) => value === 'y' && actual.values.get(name) !== 'y')
    .map(([name]) => name);
  const unwanted = [...wanted.unset].filter((name) => {
    const value = actual.values.get(name);
    return value !== undefined && value !== 'n';
  });
  return { missing, unwanted };
}

/** Throws ERR_KERNEL_CONFIG naming every option the kernel's .config did not keep. */
export function assertKernelConfig(wanted: KernelConfig, actual: KernelConfig, source: string): void {
  const { missing, unwanted } = compareKernelConfig(wanted, actual);
  if (missing.length === 0 && unwanted.length === 0) return;
  const parts = [
    ...(missing.length > 0 ? [`not built in: ${missing.join(', ')}`] : []),
    ...(unwanted.length > 0 ? [`set but must be off: ${unwanted.join(', ')}`] : []),
  ];
  throw new AetherError(
    'ERR_KERNEL_CONFIG',
    `the kernel configuration of ${source} does not keep ${path.basename(KERNEL_CONFIG_FRAGMENT)}: ` +
      `${parts.join('; ')} (renamed in this kernel version, or a dependency is off: fix the fragment)`,
    { details: { source, missing, unwanted } },
  );
}

export interface ConfigFragment {
  text: string;
  config: KernelConfig;
  /** sha256 of the fragment's bytes, part of the kernel's cache key. */
  sha256: string;
}

export async function readConfigFragment(file: string = KERNEL_CONFIG_FRAGMENT): Promise<ConfigFragment> {
  const text = await readFile(file, 'utf8');
  return {
    text,
    config: parseKernelConfig(text),
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}
