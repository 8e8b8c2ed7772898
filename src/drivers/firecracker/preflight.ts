/**
 * What a host needs to run Firecracker VMs, checked item by item, each with what was found and
 * what to do about it. `aether doctor` prints it; a worker configured for Firecracker refuses to
 * start while a required item fails.
 *
 * Limits of what can be checked from Node: /dev/kvm is opened read-write (the KVM API version is
 * an ioctl Node cannot issue; Firecracker checks it itself at start), and the guest kernel is
 * checked to be an ELF vmlinux, not for which drivers it has built in.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findExecutable, VMM_PATH } from './executables.js';
import {
  checkCgroupV2,
  checkImage,
  checkJailDir,
  checkKernel,
  checkKvm,
  checkNetAdmin,
  checkVsock,
  fail,
  pass,
  type Verdict,
} from './preflight-checks.js';

const execFileAsync = promisify(execFile);

/** The API the driver speaks is v1.16's: older releases lack fields and endpoints it sends. */
export const MIN_FIRECRACKER_VERSION: readonly [number, number, number] = [1, 16, 0];

export type PreflightItem =
  | 'firecracker'
  | 'jailer'
  | 'root'
  | 'kvm'
  | 'kernel'
  | 'image'
  | 'vsock'
  | 'net-admin'
  | 'cgroup-v2'
  | 'jail-dir';

export interface PreflightCheck {
  item: PreflightItem;
  title: string;
  ok: boolean;
  /** A failing required item stops a worker; an optional one is only reported. */
  required: boolean;
  /** What was found. */
  detail: string;
  /** What to do when it is not ok. */
  fix: string | null;
}

export interface PreflightReport {
  /** Every required item passed. */
  ok: boolean;
  checks: PreflightCheck[];
}

export interface PreflightOptions {
  firecrackerBinary: string;
  /** Jailer mode: its binary and chroot base; null when VMMs run unjailed. */
  jailer: { binary: string; chrootBaseDir: string } | null;
  /** The guest kernel (`AETHER_KERNEL`); empty when not configured. */
  kernel: string;
  /** The guest image's root file system; rejects saying how to build one. */
  image: () => Promise<{ id: string; rootfs: string }>;
  /** Where VM files (and unjailed VMs' sockets) go. */
  stateDir: string;
  /** Where host facts are read; tests point these at files of their own. */
  host?: { kvmDevice?: string; procStatus?: string; mounts?: string; uid?: number };
}

function parseVersion(text: string): [number, number, number] | null {
  const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

function atLeast(version: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    if (version[i]! !== minimum[i]!) return version[i]! > minimum[i]!;
  }
  return true;
}

const RELEASE_FIX =
  'install the release binaries (firecracker and jailer from the same release) from https://github.com/firecracker-microvm/firecracker/releases into /usr/local/bin, or set';

function notFound(binary: string): string {
  return binary.includes('/') ? `${binary} not found` : `${binary} not found on ${VMM_PATH}`;
}

async function versionOf(
  binary: string,
): Promise<{ line: string; version: [number, number, number] | null }> {
  const { stdout } = await execFileAsync(binary, ['--version'], { env: { PATH: VMM_PATH }, timeout: 10_000 });
  const line =
    stdout
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  return { line, version: parseVersion(line) };
}

async function checkFirecracker(binary: string): Promise<Verdict & { version: string | null }> {
  const path = findExecutable(binary);
  if (!path)
    return {
      ...fail(notFound(binary), `${RELEASE_FIX} AETHER_FIRECRACKER_BIN (firecracker.binary)`),
      version: null,
    };
  try {
    const { line, version } = await versionOf(path);
    if (!version)
      return {
        ...fail(`${path} --version said ${JSON.stringify(line)}`, 'is it Firecracker?'),
        version: null,
      };
    const shown = version.join('.');
    if (!atLeast(version, MIN_FIRECRACKER_VERSION)) {
      return {
        ...fail(
          `${path} is v${shown}; the driver speaks the API of v${MIN_FIRECRACKER_VERSION.join('.')}`,
          `install v${MIN_FIRECRACKER_VERSION.join('.')} or newer (${RELEASE_FIX.slice(8)} AETHER_FIRECRACKER_BIN)`,
        ),
        version: shown,
      };
    }
    return { ...pass(`${path}, v${shown}`), version: shown };
  } catch (error) {
    return {
      ...fail(`${path} --version failed: ${(error as Error).message}`, 'check the binary runs on this host'),
      version: null,
    };
  }
}

async function checkJailer(
  jailer: PreflightOptions['jailer'],
  firecrackerVersion: string | null,
): Promise<Verdict> {
  if (!jailer)
    return fail(
      'jailer mode is off: VMMs run unchrooted, as the worker user',
      'for production set firecracker.jailer: true (AETHER_FIRECRACKER_JAILER=true)',
    );
  const path = findExecutable(jailer.binary);
  if (!path)
    return fail(notFound(jailer.binary), `${RELEASE_FIX} AETHER_JAILER_BIN (firecracker.jailer_binary)`);
  try {
    const { line, version } = await versionOf(path);
    const shown = version?.join('.') ?? null;
    if (shown && firecrackerVersion && shown !== firecrackerVersion) {
      return fail(
        `${path} is v${shown} but firecracker is v${firecrackerVersion}`,
        'install firecracker and jailer from the same release',
      );
    }
    return pass(`${path}${shown ? `, v${shown}` : ` (${line})`}`);
  } catch (error) {
    return fail(
      `${path} --version failed: ${(error as Error).message}`,
      'check the binary runs on this host',
    );
  }
}

export async function runFirecrackerPreflight(options: PreflightOptions): Promise<PreflightReport> {
  const host = options.host ?? {};
  const jailed = options.jailer !== null;
  const uid = host.uid ?? process.getuid?.() ?? -1;
  const firecracker = await checkFirecracker(options.firecrackerBinary);
  const { version: _version, ...firecrackerVerdict } = firecracker;
  const checks: PreflightCheck[] = [
    { item: 'firecracker', title: 'firecracker binary', required: true, ...firecrackerVerdict },
    {
      item: 'jailer',
      title: 'jailer',
      required: jailed,
      ...(await checkJailer(options.jailer, firecracker.version)),
    },
  ];
  if (jailed) {
    checks.push({
      item: 'root',
      title: 'runs as root',
      required: true,
      ...(uid === 0
        ? pass('uid 0: the jailer can chroot, make device nodes and drop to per-VM uids')
        : fail(
            `uid ${uid}: the jailer must be started as root`,
            'run the worker as root (the VMs still run as their own uids)',
          )),
    });
  }
  checks.push(
    { item: 'kvm', title: 'KVM', required: true, ...(await checkKvm(host.kvmDevice ?? '/dev/kvm')) },
    { item: 'kernel', title: 'guest kernel', required: true, ...(await checkKernel(options.kernel)) },
    { item: 'image', title: 'guest root file system', required: true, ...(await checkImage(options.image)) },
    {
      item: 'vsock',
      title: 'vsock',
      required: true,
      ...(await checkVsock(options.stateDir, jailed)),
    },
    {
      item: 'net-admin',
      title: 'TAP devices',
      required: false,
      ...(await checkNetAdmin(host.procStatus ?? '/proc/self/status')),
    },
    {
      item: 'cgroup-v2',
      title: 'cgroup v2',
      required: jailed,
      ...(await checkCgroupV2(host.mounts ?? '/proc/mounts')),
    },
  );
  if (jailed) {
    checks.push({
      item: 'jail-dir',
      title: 'jail directory',
      required: true,
      ...(await checkJailDir(options.jailer!.chrootBaseDir, options.stateDir)),
    });
  }
  return { ok: checks.every((check) => check.ok || !check.required), checks };
}
