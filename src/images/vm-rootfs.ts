/**
 * The root disk of a microVM guest: the cached Debian rootfs, unpacked, plus what booting it
 * needs (the agent bundle, /sbin/aether-init, a hostname, a harmless fstab, root's password
 * locked), made into an ext4 image by `mke2fs -d` (no mounts, no loop devices).
 *
 * Every path is resolved inside the tree: Debian's /sbin is a symlink (merged /usr), and a
 * symlink in the tree must never lead a write out to the build host's own files.
 */
import { lstat, mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AetherError } from '../core/errors.js';
import { DEFAULT_VM_DISK_MIB } from '../core/image-defaults.js';
import { GUEST_AGENT_PATH, GUEST_HOME, GUEST_INIT_PATH, GUEST_INIT_SCRIPT } from './vm-init-scripts.js';

export { DEFAULT_VM_DISK_MIB };
export const VM_ROOT_LABEL = 'aether-root';
const MIB = 1024 * 1024;

const FSTAB = `# Written by \`aether image build --vm\`. The initramfs mounts the root disk and
# /sbin/aether-init the kernel file systems; nothing reads this table at boot.
LABEL=${VM_ROOT_LABEL} / ext4 rw,relatime 0 1
`;

/** Programs the guest's init runs; a recipe without them cannot boot as a microVM. */
const REQUIRED = [
  ['/usr/bin/tini', 'tini'],
  ['/usr/bin/node', 'nodejs'],
  ['/usr/bin/ip', 'iproute2'],
] as const;

/**
 * `rel` (absolute inside the guest) as a host path under `root`, following symlinks the way
 * the guest would see them: absolute targets restart at `root`, `..` stops at `root`.
 */
export async function pathInRoot(root: string, rel: string): Promise<string> {
  const pending = rel.split('/').filter(Boolean);
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(root, ...resolved, part);
    const info = await lstat(candidate).catch(() => null);
    if (!info?.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++hops > 40) throw new Error(`too many symlinks resolving ${rel} in ${root}`);
    const target = await readlink(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return path.join(root, ...resolved);
}

/** Writes `data` at guest path `rel`, replacing what is there (a symlink itself, never its target). */
async function put(root: string, rel: string, data: string | Uint8Array, mode: number): Promise<void> {
  const dir = await pathInRoot(root, path.posix.dirname(rel));
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const file = path.join(dir, path.posix.basename(rel));
  await rm(file, { force: true });
  await writeFile(file, data, { mode });
}

/** /etc/shadow with root's password locked (`*`): no password login, whatever the tree had. */
export function lockRootPassword(shadow: string): string {
  return shadow
    .split('\n')
    .map((line) => {
      const fields = line.split(':');
      if (fields[0] !== 'root' || fields.length < 2) return line;
      if (!fields[1]!.startsWith('*') && !fields[1]!.startsWith('!')) fields[1] = '*';
      return fields.join(':');
    })
    .join('\n');
}

/** Adds the agent and the init script to the unpacked rootfs at `root` and sets its identity. */
export async function prepareVmRootfs(root: string, agentBundle: Uint8Array): Promise<void> {
  for (const [program, pkg] of REQUIRED) {
    const found = await lstat(await pathInRoot(root, program)).catch(() => null);
    if (!found) {
      throw new AetherError(
        'ERR_VALIDATION',
        `the guest rootfs has no ${program}: a microVM image needs the package ${pkg} (add it to --packages)`,
        { details: { field: 'packages', package: pkg } },
      );
    }
  }
  await put(root, GUEST_AGENT_PATH, agentBundle, 0o644);
  await put(root, GUEST_INIT_PATH, GUEST_INIT_SCRIPT, 0o755);
  await put(root, '/etc/hostname', 'aether\n', 0o644);
  await put(root, '/etc/fstab', FSTAB, 0o644);
  const shadowPath = path.join(await pathInRoot(root, '/etc'), 'shadow');
  const shadow = await readFile(shadowPath, 'utf8').catch(() => null);
  if (shadow !== null) await writeFile(shadowPath, lockRootPassword(shadow));
  await mkdir(await pathInRoot(root, GUEST_HOME), { recursive: true, mode: 0o755 });
}

/** Bytes the tree at `dir` takes on a 4 KiB-block file system, roughly: each file and directory rounded up. */
export async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    const info = await lstat(path.join(entry.parentPath, entry.name)).catch(() => null);
    if (!info) continue;
    total += info.isDirectory() ? 4096 : info.isFile() ? Math.ceil(info.size / 4096) * 4096 : 0;
  }
  return total;
}

/**
 * The ext4 image size in MiB for a tree of `usedBytes`: `requestedMiB` (default 4 GiB), which
 * must leave room for the tree, the journal, the inode tables and some headroom. An explicit
 * size that is too small fails; the default grows to fit a large tree.
 */
export function vmDiskSizeMiB(usedBytes: number, requestedMiB?: number): number {
  const minimum = Math.ceil((usedBytes * 1.3) / MIB) + 256;
  if (requestedMiB === undefined) return Math.max(DEFAULT_VM_DISK_MIB, minimum);
  if (requestedMiB < minimum) {
    throw new AetherError(
      'ERR_VALIDATION',
      `disk size ${requestedMiB} MiB is too small: the guest's files take ${Math.ceil(usedBytes / MIB)} MiB, ` +
        `so the root disk needs at least ${minimum} MiB`,
      { details: { field: 'diskSizeMiB', minimum } },
    );
  }
  return requestedMiB;
}

/** A UUID for the file system taken from the image's content address, so a rebuild makes the same one. */
export function uuidFromHex(hex: string): string {
  const h = hex.slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** mke2fs's argv making `image` of `sizeMiB` from the tree at `root`. */
export function mke2fsArgs(
  root: string,
  image: string,
  sizeMiB: number,
  uuid: string,
  prezeroed = true,
): string[] {
  return [
    '-q',
    '-F',
    '-t',
    'ext4',
    '-L',
    VM_ROOT_LABEL,
    '-U',
    uuid,
    // The file is new and sparse, so it reads as zeros: no inode tables or journal to zero,
    // here or (lazily, into every VM's overlay) in the guest. e2fsprogs ≥ 1.47.
    ...(prezeroed ? ['-E', 'assume_storage_prezeroed=1'] : []),
    '-d',
    root,
    image,
    `${sizeMiB}M`,
  ];
}
