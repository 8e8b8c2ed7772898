/** Settings of the `firecracker` driver: given by the caller (parsed config), never read from the env. */
import type { ChildProcess } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { AetherError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { JailerOptions } from './jailer.js';
import { AGENT_VSOCK_PORT } from './vsock.js';

/** The guest image a VM boots: its root file system (every VM gets its own copy). */
export interface FirecrackerImage {
  /** Short id of the image, shown on VMs. */
  id: string;
  /** ext4 root file system. */
  rootfs: string;
}

export interface FirecrackerDriverSettings {
  /** Directory owning every VM: `<stateDir>/v/<id>/`. Absolute, and short (socket paths ≤ 107 bytes). */
  stateDir: string;
  /** The firecracker binary (absolute, or found on the PATH). Default `firecracker`. */
  firecrackerBinary?: string;
  /** The guest kernel: an uncompressed vmlinux with virtio-mmio and vsock built in (`aether image kernel`). */
  kernel: string;
  /** The guest image, resolved lazily: it may be built after the driver is made. */
  image: () => Promise<FirecrackerImage>;
  /** Run each VMM under the jailer (production). Null or absent: spawned directly. */
  jailer?: JailerOptions | null;
  /** From spawning the VMM to the agent answering. Default 30 000 ms. */
  bootTimeoutMs?: number;
  /** Per API request, and for the API to come up after spawning. Default 5 000 ms. */
  apiTimeoutMs?: number;
  /** `stop()` grace before SIGKILL when the caller gives none. Default 5 000 ms. */
  stopGraceMs?: number;
  /** The guest vsock port the agent listens on. Default 9999. */
  agentPort?: number;
}

/** What a spawner is asked to start: the firecracker (or jailer) command line. */
export interface VmmLaunch {
  binary: string;
  args: string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** Descriptor the process's stdout and stderr go to (a file that outlives this process). */
  outputFd: number;
}

/**
 * Starts the VMM process, detached into its own process group (it outlives this process, and a
 * group kill also ends anything it started). Tests inject one that starts a stand-in.
 */
export type VmmSpawner = (launch: VmmLaunch) => ChildProcess;

export interface FirecrackerDriverDeps {
  logger?: Logger;
  spawner?: VmmSpawner;
}

export interface ResolvedFirecrackerSettings {
  stateDir: string;
  firecrackerBinary: string;
  kernel: string;
  image: () => Promise<FirecrackerImage>;
  jailer: (JailerOptions & { uidCount: number; cgroupRoot: string }) | null;
  bootTimeoutMs: number;
  apiTimeoutMs: number;
  stopGraceMs: number;
  agentPort: number;
}

function fail(message: string): never {
  throw new AetherError('ERR_CONFIG', `firecracker driver: ${message}`);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n <= 0) fail(`${name} must be a positive integer`);
  return n;
}

export function resolveFirecrackerSettings(settings: FirecrackerDriverSettings): ResolvedFirecrackerSettings {
  if (!isAbsolute(settings.stateDir)) fail('stateDir must be an absolute path');
  if (settings.kernel !== '' && !isAbsolute(settings.kernel)) fail('kernel must be an absolute path');
  const jailer = settings.jailer ?? null;
  if (jailer) {
    if (!isAbsolute(jailer.chrootBaseDir)) fail('the jailer chroot base must be an absolute path');
    const count = jailer.uidCount ?? 65_536;
    if (!Number.isInteger(jailer.uidBase) || jailer.uidBase < 1000 || jailer.uidBase + count > 0xffff_fffe)
      fail(`the jailer uid base must leave room for ${count} ids above 1000, got ${jailer.uidBase}`);
  }
  return Object.freeze({
    stateDir: settings.stateDir,
    firecrackerBinary: settings.firecrackerBinary ?? 'firecracker',
    kernel: settings.kernel,
    image: settings.image,
    jailer: jailer
      ? { ...jailer, uidCount: jailer.uidCount ?? 65_536, cgroupRoot: jailer.cgroupRoot ?? '/sys/fs/cgroup' }
      : null,
    bootTimeoutMs: positive('bootTimeoutMs', settings.bootTimeoutMs, 30_000),
    apiTimeoutMs: positive('apiTimeoutMs', settings.apiTimeoutMs, 5_000),
    stopGraceMs: positive('stopGraceMs', settings.stopGraceMs, 5_000),
    agentPort: positive('agentPort', settings.agentPort, AGENT_VSOCK_PORT),
  });
}
