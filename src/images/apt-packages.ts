/**
 * The Debian packages a microVM image takes from the host's apt: the kernel (the versioned
 * package `linux-image-amd64` depends on, e.g. linux-image-6.1.0-57-amd64) and a static
 * busybox for the initramfs. Their versions are part of the image's content address, so they
 * are resolved on every build; apt's answer is remembered next to the cache together with a
 * fingerprint of apt's package lists, so that while the lists are unchanged a cached image is
 * found without running anything.
 */

import { createHash } from 'node:crypto';
import { chown, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AetherError } from '../core/errors.js';

/** The metapackage that always depends on the current kernel of the suite. */
export const KERNEL_METAPACKAGE = 'linux-image-amd64';
export const BUSYBOX_PACKAGE = 'busybox-static';
export const APT_LISTS_DIR = '/var/lib/apt/lists';

export interface DebianPackage {
  package: string;
  version: string;
}

export interface BootPackages {
  kernel: DebianPackage;
  busybox: DebianPackage;
}

export function noAptListsError(listsDir: string): AetherError {
  return new AetherError(
    'ERR_HOST_TOOL_MISSING',
    `apt has no package lists in ${listsDir}: run \`apt-get update\` first (the VM kernel and busybox come from the host's apt)`,
    { details: { tool: 'apt-get', listsDir } },
  );
}

/**
 * A fingerprint of apt's package indices (`*_Packages*` files: names, sizes, times), or null
 * when there are none (a fresh container, or lists cleaned to save space).
 */
export async function aptListsFingerprint(listsDir: string): Promise<string | null> {
  const names = (await readdir(listsDir).catch(() => [] as string[])).filter((name) =>
    name.includes('_Packages'),
  );
  if (names.length === 0) return null;
  const hash = createHash('sha256');
  for (const name of names.sort()) {
    const info = await stat(path.join(listsDir, name)).catch(() => null);
    hash.update(`${name}\0${info?.size ?? -1}\0${info?.mtimeMs ?? -1}\n`);
  }
  return hash.digest('hex');
}

/** The versioned kernel package in `apt-cache depends linux-image-amd64` output. */
export function parseKernelDependency(text: string): string | null {
  return /^\s*Depends:\s*(linux-image-\d[^\s<>]*)\s*$/m.exec(text)?.[1] ?? null;
}

/** Package → candidate version from `apt-cache policy A B...` output; `(none)` is null. */
export function parseAptPolicy(text: string): Map<string, string | null> {
  const candidates = new Map<string, string | null>();
  let current: string | null = null;
  for (const line of text.split('\n')) {
    const pkg = /^(\S+):$/.exec(line);
    if (pkg) {
      current = pkg[1]!;
      candidates.set(current, null);
      continue;
    }
    const candidate = /^\s+Candidate:\s*(\S+)\s*$/.exec(line);
    if (candidate && current) candidates.set(current, candidate[1] === '(none)' ? null : candidate[1]!);
  }
  return candidates;
}

interface Memo extends BootPackages {
  fingerprint: string;
}

/** What apt answered last time for these lists, or null. */
export async function readBootPackagesMemo(file: string, fingerprint: string): Promise<BootPackages | null> {
  try {
    const memo = JSON.parse(await readFile(file, 'utf8')) as Partial<Memo>;
    const ok = (p: unknown): p is DebianPackage =>
      typeof (p as DebianPackage)?.package === 'string' && typeof (p as DebianPackage)?.version === 'string';
    if (memo.fingerprint !== fingerprint || !ok(memo.kernel) || !ok(memo.busybox)) return null;
    return { kernel: memo.kernel, busybox: memo.busybox };
  } catch {
    return null;
  }
}

export async function writeBootPackagesMemo(file: string, fingerprint: string, packages: BootPackages) {
  const memo: Memo = { fingerprint, ...packages };
  await writeFile(file, `${JSON.stringify(memo, null, 2)}\n`, { mode: 0o644 });
}

/** Runs apt-cache with `args`, resolving to its output; rejects with a coded error when it fails. */
export type AptCacheQuery = (args: string[]) => Promise<string>;

/** Asks apt for the kernel package and the versions of both packages. */
export async function queryBootPackages(aptCache: AptCacheQuery, listsDir: string): Promise<BootPackages> {
  const depends = await aptCache(['depends', KERNEL_METAPACKAGE]);
  const kernelPackage = parseKernelDependency(depends);
  if (!kernelPackage) {
    throw new AetherError(
      'ERR_IMAGE_BUILD_FAILED',
      `apt knows no kernel for ${KERNEL_METAPACKAGE}: is this a Debian amd64 host with its lists current? ` +
        `(\`apt-get update\`; lists in ${listsDir})`,
      { details: { output: depends.split('\n').slice(-20) } },
    );
  }
  const policy = parseAptPolicy(await aptCache(['policy', kernelPackage, BUSYBOX_PACKAGE]));
  const version = (pkg: string): string => {
    const found = policy.get(pkg);
    if (found) return found;
    throw new AetherError(
      'ERR_IMAGE_BUILD_FAILED',
      `apt has no installable version of ${pkg}: run \`apt-get update\` (lists in ${listsDir})`,
      { details: { package: pkg } },
    );
  };
  return {
    kernel: { package: kernelPackage, version: version(kernelPackage) },
    busybox: { package: BUSYBOX_PACKAGE, version: version(BUSYBOX_PACKAGE) },
  };
}

/** `Get:1 http://... bookworm/main amd64 busybox-static amd64 1:1.35.0-4 [928 kB]` → package and version. */
export function parseAptGet(line: string): DebianPackage | null {
  const match = /^Get:\d+ \S+ \S+ \S+ (\S+) \S+ (\S+) \[/.exec(line);
  return match ? { package: match[1]!, version: match[2]! } : null;
}

/** The `_apt` user's uid from /etc/passwd text, or null. */
export function aptSandboxUid(passwd: string): number | null {
  const line = passwd.split('\n').find((entry) => entry.startsWith('_apt:'));
  const uid = Number(line?.split(':')[2]);
  return line && Number.isInteger(uid) ? uid : null;
}

/**
 * A fresh directory for `apt-get download`, owned by `_apt` when there is one: apt fetches as
 * that user and, when it cannot write the directory, falls back to fetching as root with a warning.
 */
export async function createDownloadDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aether-apt-'));
  const uid = aptSandboxUid(await readFile('/etc/passwd', 'utf8').catch(() => ''));
  if (uid !== null) await chown(dir, uid, 0).catch(() => {});
  return dir;
}

/** The .deb of `pkg` that apt-get download left in `dir` (its name escapes the epoch's colon). */
export async function findDownloadedDeb(dir: string, pkg: string): Promise<string> {
  const name = (await readdir(dir)).find((file) => file.startsWith(`${pkg}_`) && file.endsWith('.deb'));
  if (!name)
    throw new AetherError('ERR_IMAGE_BUILD_FAILED', `apt-get download left no ${pkg}_*.deb in ${dir}`);
  return path.join(dir, name);
}
