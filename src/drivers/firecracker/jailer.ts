/**
 * Jailer mode: Firecracker started through its `jailer`, which (as root) makes a chroot per VM
 * at `<chroot_base>/<exec file name>/<id>/root`, copies the firecracker binary in, creates
 * /dev/kvm and /dev/net/tun there, puts the process in cgroups (v2 here), unshares a mount
 * namespace, pivots into the chroot, drops to a non-root uid/gid and execs firecracker with the
 * arguments after `--`. Every path the API is then given resolves inside the chroot, so the files
 * a VM needs are linked in first and owned by (or readable to) its uid. Cleaning the chroot and
 * the cgroup afterwards is the caller's job.
 *
 * Each VMM runs as a uid of its own (Firecracker's production advice) from a configured range,
 * all in one group, the range's first id: TAP devices made with that group (`ip tuntap add ...
 * group <gid>`) are openable by every jailed VMM and by nobody else unprivileged.
 */
import { constants } from 'node:fs';
import { chmod, chown, copyFile, link, mkdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AetherError } from '../../core/errors.js';
import type { VmmPaths } from './boot-plan.js';

/** The jailer's (and Firecracker's) `--id`: letters, digits and `-`, at most 64. */
const JAIL_ID = /^[A-Za-z0-9-]{1,64}$/;
/** Where the API socket lives inside the jail (the jailer's documented default). */
export const JAILED_API_SOCKET = '/run/firecracker.socket';
/** cgroup v2 `cpu.max` period, µs. */
const CPU_PERIOD_US = 100_000;
/** Beyond the guest's memory: the VMM's own (≤ 5 MiB published), page tables, device buffers. */
const MEMORY_SLACK_MIB = 64;

export interface JailerOptions {
  /** The jailer binary (absolute, or found on the PATH). */
  binary: string;
  /** `--chroot-base-dir`; the jailer's default is /srv/jailer. Must not be writable by other users. */
  chrootBaseDir: string;
  /** The jailed VMMs' gid; each VMM runs as the lowest free uid above it. */
  uidBase: number;
  /** How many uids the range holds, the base included. Default 65 536. */
  uidCount?: number;
  /** Where cgroup v2 is mounted, for removing a VM's cgroup. Default /sys/fs/cgroup. */
  cgroupRoot?: string;
}

/** One VM's jail: where things are on the host, and what the VMM inside calls them. */
export interface JailLayout {
  jailId: string;
  /** `<chroot_base>/<exec file name>/<id>`: removed whole on cleanup. */
  jailDir: string;
  /** The chroot. */
  root: string;
  /** The cgroup the jailer makes (`<cgroup root>/<exec file name>/<id>`). */
  cgroupDir: string;
  /** Paths as the VMM sees them (inside the chroot). */
  inside: VmmPaths & { apiSocket: string };
  /** The same files on the host. */
  host: VmmPaths & { apiSocket: string };
}

export function isJailId(id: string): boolean {
  return JAIL_ID.test(id);
}

export function assertJailId(id: string): void {
  if (!isJailId(id)) {
    throw new AetherError(
      'ERR_VALIDATION',
      `VM id "${String(id).slice(0, 80)}" cannot name a Firecracker instance or jail: they take 1-64 letters, digits and dashes`,
    );
  }
}

export function jailLayout(options: {
  chrootBaseDir: string;
  firecrackerBinary: string;
  vmId: string;
  cgroupRoot?: string;
}): JailLayout {
  assertJailId(options.vmId);
  const execName = basename(options.firecrackerBinary);
  const jailDir = join(options.chrootBaseDir, execName, options.vmId);
  const root = join(jailDir, 'root');
  const inside = {
    apiSocket: JAILED_API_SOCKET,
    kernel: '/vmlinux',
    rootfs: '/rootfs.ext4',
    vsock: '/run/v.sock',
    console: '/run/console.log',
    log: '/run/firecracker.log',
    metrics: '/run/metrics.json',
  };
  const host: JailLayout['host'] = {
    apiSocket: join(root, inside.apiSocket),
    kernel: join(root, inside.kernel),
    rootfs: join(root, inside.rootfs),
    vsock: join(root, inside.vsock),
    console: join(root, inside.console),
    log: join(root, inside.log),
    metrics: join(root, inside.metrics),
  };
  return {
    jailId: options.vmId,
    jailDir,
    root,
    cgroupDir: join(options.cgroupRoot ?? '/sys/fs/cgroup', execName, options.vmId),
    inside,
    host,
  };
}

/** The jailer's command line (spawned without a shell). */
export function jailerArgs(options: {
  layout: JailLayout;
  firecrackerBinary: string;
  chrootBaseDir: string;
  uid: number;
  gid: number;
  vcpus: number;
  memoryMiB: number;
}): string[] {
  const { layout } = options;
  for (const [name, value] of [
    ['uid', options.uid],
    ['gid', options.gid],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0 || value > 0xffff_fffe)
      throw new AetherError('ERR_CONFIG', `jailer ${name} must be a non-root id, got ${value}`);
  }
  // The vCPUs' share of the CPU, plus half a CPU for the VMM's own API and I/O threads.
  const cpuQuota = options.vcpus * CPU_PERIOD_US + CPU_PERIOD_US / 2;
  const memoryBytes = (options.memoryMiB + MEMORY_SLACK_MIB) * 1024 * 1024;
  return [
    '--id',
    layout.jailId,
    '--exec-file',
    options.firecrackerBinary,
    '--uid',
    String(options.uid),
    '--gid',
    String(options.gid),
    '--chroot-base-dir',
    options.chrootBaseDir,
    '--cgroup-version',
    '2',
    '--cgroup',
    `cpu.max=${cpuQuota} ${CPU_PERIOD_US}`,
    '--cgroup',
    `memory.max=${memoryBytes}`,
    '--',
    '--api-sock',
    layout.inside.apiSocket,
  ];
}

async function chownPrivate(path: string, uid: number, gid: number, mode: number): Promise<void> {
  await chown(path, uid, gid);
  await chmod(path, mode);
}

/**
 * Builds the chroot's contents before the jailer runs: the kernel (hard-linked when it is
 * world-readable, so no shared inode changes owner; else copied and given to the VM's uid), the
 * VM's own disk (hard-linked, so its writes land in the VM's disk file, and given to the uid),
 * and empty console, log and metrics files (Firecracker opens them, never creates them).
 */
export async function prepareJail(
  layout: JailLayout,
  files: { kernel: string; rootfs: string; uid: number; gid: number },
): Promise<void> {
  const { uid, gid } = files;
  await rm(layout.jailDir, { recursive: true, force: true });
  await mkdir(layout.root, { recursive: true, mode: 0o755 });
  await mkdir(join(layout.root, 'run'), { mode: 0o700 });
  await chown(join(layout.root, 'run'), uid, gid);

  const kernelMode = (await stat(files.kernel)).mode;
  if ((kernelMode & constants.S_IROTH) !== 0) {
    await linkOrCopy(files.kernel, layout.host.kernel);
  } else {
    await copyFile(files.kernel, layout.host.kernel);
    await chownPrivate(layout.host.kernel, uid, gid, 0o400);
  }

  try {
    await link(files.rootfs, layout.host.rootfs);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EXDEV') {
      throw new AetherError(
        'ERR_CONFIG',
        `the jail ${layout.root} and the VM's disk ${files.rootfs} are on different file systems: put the chroot base and the data dir on one file system (the disk is hard-linked into the jail)`,
        { cause: error },
      );
    }
    throw error;
  }
  await chownPrivate(layout.host.rootfs, uid, gid, 0o600);

  for (const path of [layout.host.console, layout.host.log, layout.host.metrics]) {
    await writeFile(path, '', { mode: 0o600 });
    await chown(path, uid, gid);
  }
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to);
    await chmod(to, 0o444);
  }
}

/**
 * Removes the whole jail directory and the VM's cgroup. The VM's disk survives: the jail only
 * held a second link to it. A cgroup still holding a process (EBUSY) is left, and said so.
 */
export async function removeJail(layout: JailLayout): Promise<{ cgroupLeft: boolean }> {
  await rm(layout.jailDir, { recursive: true, force: true });
  try {
    await rmdir(layout.cgroupDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EBUSY') return { cgroupLeft: true };
    if (code !== 'ENOENT') throw error;
  }
  return { cgroupLeft: false };
}

/** The lowest uid above the base (the group) that no VM in `used` holds. */
export function allocateJailUid(
  options: Pick<JailerOptions, 'uidBase' | 'uidCount'>,
  used: Iterable<number>,
): number {
  const taken = new Set(used);
  const count = options.uidCount ?? 65_536;
  for (let uid = options.uidBase + 1; uid < options.uidBase + count; uid++) {
    if (!taken.has(uid)) return uid;
  }
  throw new AetherError(
    'ERR_DRIVER_FAILED',
    `every jailer uid from ${options.uidBase + 1} to ${options.uidBase + count - 1} is in use`,
  );
}
