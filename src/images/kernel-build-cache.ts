/**
 * The cache of built guest kernels: `<dataDir>/images/kernel/<hex>/{vmlinux,config,manifest.json}`,
 * addressed by what the kernel is made from (the linux-source package and version, the fragment's
 * bytes, the builder's version), so an unchanged rebuild finds it without compiling anything.
 * Like the image caches beside it, an entry is built in a `.build-*` directory and renamed into
 * place whole: a directory named by a hash is a finished kernel.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { imagesDir, MANIFEST_FILE } from './image-cache.js';
import { shortImageId } from './image-id.js';

/** Bump whenever `aether image kernel` changes what it makes from the same inputs. */
export const KERNEL_BUILDER_VERSION = 1;

export const KERNEL_FILE = 'vmlinux';
/** The kernel's own final .config, kept beside it so what it was built with can be read. */
export const KERNEL_CONFIG_FILE = 'config';

/** Everything a guest kernel is made from. */
export interface KernelBuildInputs {
  /** Debian's source package, e.g. linux-source-6.1. */
  sourcePackage: string;
  /** Its version, e.g. 6.1.192-3. */
  sourceVersion: string;
  /** sha256 of firecracker-kernel.config's bytes. */
  fragmentSha256: string;
}

export interface KernelBuildId {
  id: string;
  hex: string;
  short: string;
}

/** The content address of the kernel built from `inputs`: sha256 over them in canonical JSON. */
export function kernelBuildId(
  inputs: KernelBuildInputs,
  builderVersion: number = KERNEL_BUILDER_VERSION,
): KernelBuildId {
  const canonical = JSON.stringify({
    builderVersion,
    fragmentSha256: inputs.fragmentSha256,
    sourcePackage: inputs.sourcePackage,
    sourceVersion: inputs.sourceVersion,
  });
  const hex = createHash('sha256').update(canonical).digest('hex');
  return { id: `sha256:${hex}`, hex, short: shortImageId(hex) };
}

export function kernelsDir(dataDir: string): string {
  return path.join(imagesDir(dataDir), 'kernel');
}

export interface KernelManifest extends KernelBuildInputs {
  kind: 'kernel';
  id: string;
  /** `make kernelrelease`, e.g. 6.1.192. */
  release: string;
  /** Size of vmlinux in bytes. */
  sizeBytes: number;
  /** ISO 8601. */
  createdAt: string;
  builderVersion: number;
}

/** A cached kernel: its manifest and the absolute paths of its files. */
export interface CachedKernel {
  manifest: KernelManifest;
  short: string;
  dir: string;
  vmlinux: string;
  config: string;
}

const manifestSchema = z.object({
  kind: z.literal('kernel'),
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  sourcePackage: z.string(),
  sourceVersion: z.string(),
  fragmentSha256: z.string(),
  release: z.string(),
  sizeBytes: z.number().int().positive(),
  createdAt: z.string(),
  builderVersion: z.number().int(),
});

/** The kernel cached under `hex`, or null when there is none or it is not whole (manifest, size). */
export async function findCachedKernel(dataDir: string, hex: string): Promise<CachedKernel | null> {
  const dir = path.join(kernelsDir(dataDir), hex);
  let manifest: KernelManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')));
  } catch {
    return null;
  }
  if (manifest.id !== `sha256:${hex}` || manifest.builderVersion !== KERNEL_BUILDER_VERSION) return null;
  const vmlinux = path.join(dir, KERNEL_FILE);
  const info = await stat(vmlinux).catch(() => null);
  if (!info?.isFile() || info.size !== manifest.sizeBytes) return null;
  return { manifest, short: shortImageId(hex), dir, vmlinux, config: path.join(dir, KERNEL_CONFIG_FILE) };
}
