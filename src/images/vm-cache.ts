/**
 * The cache of microVM images:
 * `<dataDir>/images/vm/<hex>/{vmlinuz,vmlinux,initrd.img,rootfs.ext4,manifest.json}`,
 * kept like the rootfs cache beside it (built in a `.build-*` directory, renamed into place
 * whole). `findVmImage` is what a microVM driver asks for: three absolute paths.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AetherError } from '../core/errors.js';
import { imagesDir, listCacheEntries, MANIFEST_FILE } from './image-cache.js';
import { shortImageId, VM_BUILDER_VERSION } from './image-id.js';
import type { GuestRecipe } from './recipe.js';

export const VM_KERNEL_FILE = 'vmlinuz';
/** The uncompressed kernel (ELF with a PVH entry), when the bzImage's payload could be taken out. */
export const VM_PVH_KERNEL_FILE = 'vmlinux';
export const VM_INITRD_FILE = 'initrd.img';
export const VM_ROOTFS_FILE = 'rootfs.ext4';

export interface VmImageManifest {
  kind: 'vm';
  /** `sha256:<hex>` over every input: see vmImageId. */
  id: string;
  /** The Debian rootfs image it was made from. */
  rootfsImageId: string;
  recipe: GuestRecipe;
  /** `boot`: what `kernel` is: the PVH ELF `vmlinux` (no decompression at boot), or the bzImage `vmlinuz`. */
  kernel: { package: string; version: string; release: string; boot: 'pvh' | 'bzimage' };
  busybox: { package: string; version: string };
  agentSha256: string;
  /** The modules the initramfs loads, in order. */
  modules: string[];
  diskSizeMiB: number;
  /** Apparent sizes in bytes (rootfs.ext4 is sparse: it takes far less on disk); vmlinux null without PVH. */
  sizes: { vmlinuz: number; vmlinux: number | null; initrd: number; rootfs: number };
  /** ISO 8601. */
  createdAt: string;
  builderVersion: number;
}

/** A cached microVM image: its manifest and the absolute paths of its files. */
export interface CachedVmImage {
  manifest: VmImageManifest;
  short: string;
  dir: string;
  /** The kernel to boot: vmlinux (PVH) when there is one, else vmlinuz. */
  kernel: string;
  /** Debian's compressed kernel as shipped. */
  vmlinuz: string;
  initrd: string;
  rootfs: string;
}

/** What a microVM driver boots: the image's short id and its three files. */
export interface VmBootFiles {
  id: string;
  /** For `-kernel`: an ELF vmlinux with a PVH entry (booted without decompression) or a bzImage. */
  kernel: string;
  initrd: string;
  rootfs: string;
}

const pkg = z.object({ package: z.string(), version: z.string() });
const manifestSchema = z.object({
  kind: z.literal('vm'),
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  rootfsImageId: z.string(),
  recipe: z.object({
    suite: z.string(),
    variant: z.literal('minbase'),
    packages: z.array(z.string()),
    mirror: z.string(),
  }),
  kernel: pkg.extend({ release: z.string(), boot: z.enum(['pvh', 'bzimage']) }),
  busybox: pkg,
  agentSha256: z.string(),
  modules: z.array(z.string()),
  diskSizeMiB: z.number().int().positive(),
  sizes: z.object({
    vmlinuz: z.number().int().nonnegative(),
    vmlinux: z.number().int().nonnegative().nullable(),
    initrd: z.number().int().nonnegative(),
    rootfs: z.number().int().nonnegative(),
  }),
  createdAt: z.string(),
  builderVersion: z.number().int(),
});

export function vmImagesDir(dataDir: string): string {
  return path.join(imagesDir(dataDir), 'vm');
}

export async function writeVmManifest(dir: string, manifest: VmImageManifest): Promise<void> {
  await writeFile(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 });
}

/** The entry in `dir` if it is a whole image of this builder (manifest, id and every file's size agree). */
export async function readVmCacheEntry(dir: string, hex: string): Promise<CachedVmImage | null> {
  let manifest: VmImageManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')));
  } catch {
    return null;
  }
  if (manifest.id !== `sha256:${hex}` || manifest.builderVersion !== VM_BUILDER_VERSION) return null;
  const pvh = manifest.kernel.boot === 'pvh';
  if (pvh !== (manifest.sizes.vmlinux !== null)) return null;
  const files = {
    vmlinuz: path.join(dir, VM_KERNEL_FILE),
    vmlinux: path.join(dir, VM_PVH_KERNEL_FILE),
    initrd: path.join(dir, VM_INITRD_FILE),
    rootfs: path.join(dir, VM_ROOTFS_FILE),
  };
  for (const key of ['vmlinuz', 'vmlinux', 'initrd', 'rootfs'] as const) {
    const size = manifest.sizes[key];
    if (size === null) continue;
    const info = await stat(files[key]).catch(() => null);
    if (!info?.isFile() || info.size !== size) return null;
  }
  return {
    manifest,
    short: shortImageId(hex),
    dir,
    kernel: pvh ? files.vmlinux : files.vmlinuz,
    vmlinuz: files.vmlinuz,
    initrd: files.initrd,
    rootfs: files.rootfs,
  };
}

/** The cached microVM image with content address `hex`, or null. */
export function findCachedVmImage(dataDir: string, hex: string): Promise<CachedVmImage | null> {
  return readVmCacheEntry(path.join(vmImagesDir(dataDir), hex), hex);
}

/** Every whole cached microVM image, newest first. */
export function listVmImages(dataDir: string): Promise<CachedVmImage[]> {
  return listCacheEntries(vmImagesDir(dataDir), readVmCacheEntry);
}

/**
 * The boot files of the newest microVM image in `<dataDir>/images/vm`, or of the one whose id
 * (`sha256:<hex>`, hex, or a prefix such as the short id) is `id`. Throws ERR_IMAGE_NOT_FOUND
 * saying how to build one.
 */
export async function findVmImage(dataDir: string, id?: string): Promise<VmBootFiles> {
  const images = await listVmImages(dataDir);
  const wanted = id?.replace(/^sha256:/, '').toLowerCase();
  const matches =
    wanted === undefined
      ? images.slice(0, 1)
      : images.filter((image) => wanted !== '' && path.basename(image.dir).startsWith(wanted));
  const where = vmImagesDir(dataDir);
  if (matches.length === 0) {
    const what = id === undefined ? 'no microVM image' : `no microVM image ${id}`;
    throw new AetherError(
      'ERR_IMAGE_NOT_FOUND',
      `${what} in ${where}: build one with \`aether image build --vm --data-dir ${dataDir}\` (as root)`,
      { details: { dataDir, ...(id === undefined ? {} : { image: id }) } },
    );
  }
  if (matches.length > 1) {
    throw new AetherError(
      'ERR_IMAGE_NOT_FOUND',
      `microVM image ${id} is ambiguous in ${where}: ${matches.map((m) => m.short).join(', ')}`,
      { details: { dataDir, image: id } },
    );
  }
  const image = matches[0]!;
  return {
    id: image.short,
    kernel: path.resolve(image.kernel),
    initrd: path.resolve(image.initrd),
    rootfs: path.resolve(image.rootfs),
  };
}
