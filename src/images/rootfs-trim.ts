/**
 * What the builder changes in a fresh debootstrap tree before packing it. Downloaded .debs and
 * apt's package lists are a third of a minbase tree and are stale the day after; debootstrap
 * also copies the build host's /etc/hostname and /etc/resolv.conf into the target, which
 * would give every guest the builder's name and name servers. The driver that boots a guest
 * provides both at run time (Docker bind-mounts them).
 */
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Directories whose files are dropped; subdirectories (apt's `partial/`) and `lock` stay. */
const EMPTIED_DIRS = ['var/cache/apt/archives', 'var/lib/apt/lists'];
const APT_CACHE_FILES = /\.bin$/;
const HOSTNAME = 'aether\n';
const RESOLV_CONF = '# Written by the VM driver at boot.\n';

async function removeFiles(dir: string, match: (name: string) => boolean): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  await Promise.all(
    entries
      .filter((entry) => !entry.isDirectory() && entry.name !== 'lock' && match(entry.name))
      .map((entry) => rm(path.join(dir, entry.name), { force: true })),
  );
}

/** Trims the tree at `rootfs` in place; absent paths are fine. */
export async function trimRootfs(rootfs: string): Promise<void> {
  for (const dir of EMPTIED_DIRS) await removeFiles(path.join(rootfs, dir), () => true);
  await removeFiles(path.join(rootfs, 'var/cache/apt'), (name) => APT_CACHE_FILES.test(name));
  await writeIfDirExists(path.join(rootfs, 'etc/hostname'), HOSTNAME);
  await writeIfDirExists(path.join(rootfs, 'etc/resolv.conf'), RESOLV_CONF);
}

async function writeIfDirExists(file: string, text: string): Promise<void> {
  // rm first: the copy may be a symlink (systemd-resolved hosts), which writeFile would follow.
  await rm(file, { force: true });
  await writeFile(file, text, { mode: 0o644 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
