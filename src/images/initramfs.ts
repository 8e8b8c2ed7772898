/**
 * The initramfs of a microVM guest: a gzip'd newc cpio holding a static busybox, the kernel
 * modules to load (as `/lib/modules/<name>.ko`), the `/init` script that loads them and
 * switches to the root disk, and a `/dev/console` node so the kernel can give `/init` a console
 * before devtmpfs is mounted (without it, early output and failure messages go nowhere).
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { type CpioEntry, createCpioArchive } from './cpio.js';
import type { ResolvedModule } from './kernel-modules.js';
import { initramfsInitScript } from './vm-init-scripts.js';

const gzipAsync = promisify(gzip);

/** The busybox applets /init calls by name (the debug shell installs the rest). */
const APPLETS = ['sh', 'cat', 'insmod', 'mkdir', 'mount', 'sleep', 'switch_root', 'umount'];

export interface InitramfsInput {
  /** A statically linked busybox (Debian's busybox-static: `/bin/busybox`). */
  busybox: string;
  /** In load order. */
  modules: readonly ResolvedModule[];
}

/** The cpio entries of the initramfs, uncompressed. */
export async function initramfsEntries(input: InitramfsInput): Promise<CpioEntry[]> {
  const entries: CpioEntry[] = [
    ...['bin', 'dev', 'lib', 'lib/modules', 'newroot', 'proc', 'sys'].map(
      (name): CpioEntry => ({ type: 'dir', name }),
    ),
    { type: 'char', name: 'dev/console', major: 5, minor: 1, mode: 0o600 },
    { type: 'file', name: 'bin/busybox', data: await readFile(input.busybox), mode: 0o755 },
    ...APPLETS.map((applet): CpioEntry => ({ type: 'symlink', name: `bin/${applet}`, target: 'busybox' })),
  ];
  for (const module of input.modules) {
    entries.push({ type: 'file', name: `lib/modules/${module.name}.ko`, data: await readFile(module.file) });
  }
  entries.push({
    type: 'file',
    name: 'init',
    data: initramfsInitScript(input.modules.map((module) => module.name)),
    mode: 0o755,
  });
  return entries;
}

/** The initramfs as the kernel loads it (`-initrd`): gzip'd newc cpio. */
export async function createInitramfs(input: InitramfsInput): Promise<Buffer> {
  return gzipAsync(createCpioArchive(await initramfsEntries(input)), { level: constants.Z_BEST_COMPRESSION });
}
