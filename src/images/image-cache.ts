/**
 * The on-disk cache of built images: `<dataDir>/images/<hex>/{rootfs.tar,manifest.json}`.
 * An entry only ever appears whole: a build works in `<dataDir>/images/.build-<pid>-<random>/`
 * and renames it into place as its last step, so a directory named by a hash is a finished
 * image and a crash leaves at most a `.build-*` directory, which the next build removes.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BUILDER_VERSION, shortImageId } from './image-id.js';
import type { GuestRecipe } from './recipe.js';

export const ROOTFS_FILE = 'rootfs.tar';
export const MANIFEST_FILE = 'manifest.json';
const BUILD_PREFIX = '.build-';

export interface GuestImageManifest {
  /** `sha256:<hex>`, the recipe's content address. */
  id: string;
  recipe: GuestRecipe;
  /** ISO 8601. */
  createdAt: string;
  /** Size of rootfs.tar. */
  sizeBytes: number;
  builderVersion: number;
  /** A tools image (`aether image build --tools`): the rootfs image it adds a layer to. */
  baseId?: string;
  /** Tools baked in, with the versions they report; absent on a plain rootfs image. */
  tools?: BakedTool[];
}

/** A tool baked into an image, as its version command reports it (or its package says). */
export interface BakedTool {
  name: string;
  version: string;
  origin: 'debian' | 'npm';
}

/** A cached image: its manifest and where its files are. */
export interface CachedGuestImage {
  manifest: GuestImageManifest;
  short: string;
  dir: string;
  rootfsPath: string;
}

const manifestSchema = z.object({
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  recipe: z.object({
    suite: z.string(),
    variant: z.literal('minbase'),
    packages: z.array(z.string()),
    mirror: z.string(),
  }),
  createdAt: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  builderVersion: z.number().int(),
  baseId: z.string().optional(),
  tools: z
    .array(z.object({ name: z.string(), version: z.string(), origin: z.enum(['debian', 'npm']) }))
    .optional(),
});

export function imagesDir(dataDir: string): string {
  return path.join(dataDir, 'images');
}

function entryOf(dir: string, manifest: GuestImageManifest): CachedGuestImage {
  return { manifest, short: shortImageId(manifest.id), dir, rootfsPath: path.join(dir, ROOTFS_FILE) };
}

/**
 * The entry in `dir`, or null when there is none or it is not a whole image of this builder
 * (no or unreadable manifest, another id, a rootfs of another size).
 */
export async function readCacheEntry(dir: string, hex: string): Promise<CachedGuestImage | null> {
  let manifest: GuestImageManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')));
  } catch {
    return null;
  }
  if (manifest.id !== `sha256:${hex}` || manifest.builderVersion !== BUILDER_VERSION) return null;
  const rootfs = await stat(path.join(dir, ROOTFS_FILE)).catch(() => null);
  if (!rootfs?.isFile() || rootfs.size !== manifest.sizeBytes) return null;
  return entryOf(dir, manifest);
}

/** The cached image with content address `hex`, or null. */
export function findCachedImage(dataDir: string, hex: string): Promise<CachedGuestImage | null> {
  return readCacheEntry(path.join(imagesDir(dataDir), hex), hex);
}

/**
 * Every whole entry of a cache root (directories named by a content address, read by `read`,
 * which returns null for a partial or foreign one), newest first.
 */
export async function listCacheEntries<T extends { manifest: { createdAt: string } }>(
  root: string,
  read: (dir: string, hex: string) => Promise<T | null>,
): Promise<T[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const entries: (T | null)[] = await Promise.all(
    names.filter((name) => /^[0-9a-f]{64}$/.test(name)).map((hex) => read(path.join(root, hex), hex)),
  );
  return entries
    .filter((entry): entry is T => entry !== null)
    .sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt));
}

/** Every whole cached image, newest first. */
export function listCachedImages(dataDir: string): Promise<CachedGuestImage[]> {
  return listCacheEntries(imagesDir(dataDir), readCacheEntry);
}

/** A fresh build directory inside the cache root (same file system, so the final rename is atomic). */
export function createBuildDir(dataDir: string): Promise<string> {
  return createBuildDirIn(imagesDir(dataDir));
}

/** A fresh private `.build-<pid>-<random>` directory in `root`, made if missing. */
export async function createBuildDirIn(root: string): Promise<string> {
  await mkdir(root, { recursive: true });
  const dir = path.join(root, `${BUILD_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

/**
 * Build directories left by processes that no longer run (a crash, a kill -9). A directory some
 * live process still names on its command line or has as its root is not stale: when the
 * builder dies abruptly, the debootstrap it started (its own process group) runs on for a while.
 */
export function staleBuildDirs(dataDir: string): Promise<string[]> {
  return staleBuildDirsIn(imagesDir(dataDir));
}

/** As staleBuildDirs, for the build directories in `root`. */
export async function staleBuildDirsIn(root: string): Promise<string[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const dead = names
    .filter((name) => {
      const pid = Number(/^\.build-(\d+)-/.exec(name)?.[1]);
      return Number.isInteger(pid) && pid > 0 && !processAlive(pid);
    })
    .map((name) => path.join(root, name));
  if (dead.length === 0) return [];
  const inUse = await pathsInUse();
  return dead.filter((dir) => !inUse.some((used) => used === dir || used.startsWith(`${dir}/`)));
}

/** What live processes point at: every command-line argument and their root directory (Linux /proc). */
async function pathsInUse(): Promise<string[]> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  const paths = await Promise.all(
    pids.map(async (pid) => {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      const rootDir = await readlink(`/proc/${pid}/root`).catch(() => '/');
      return [...cmdline.split('\0').filter((arg) => arg.startsWith('/')), rootDir];
    }),
  );
  return paths.flat();
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function writeManifest(dir: string, manifest: GuestImageManifest): Promise<void> {
  await writeFile(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 });
}

/**
 * Moves a finished build directory to `<images>/<hex>`. When another build of the same recipe
 * got there first, ours is discarded and theirs is returned: both are the same image. A
 * directory there that is not a whole image (damaged by hand) is replaced.
 */
export function commitBuildDir(dataDir: string, buildDir: string, hex: string): Promise<CachedGuestImage> {
  return commitDir(buildDir, path.join(imagesDir(dataDir), hex), (dir) => readCacheEntry(dir, hex));
}

/**
 * Moves the finished `buildDir` to `finalDir`, as commitBuildDir does, for any kind of entry:
 * `read` says whether a directory is a whole entry, and returns it.
 */
export async function commitDir<T>(
  buildDir: string,
  finalDir: string,
  read: (dir: string) => Promise<T | null>,
): Promise<T> {
  // Private while the tree was being made; any user may list and read the finished image.
  await chmod(buildDir, 0o755);
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(buildDir, finalDir);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || attempt > 0) throw error;
    }
    const theirs = await read(finalDir);
    if (theirs) {
      await rm(buildDir, { recursive: true, force: true });
      return theirs;
    }
    const damaged = `${buildDir}-replaced`;
    await rename(finalDir, damaged);
    await rm(damaged, { recursive: true, force: true });
  }
  const entry = await read(finalDir);
  if (!entry) throw new Error(`cache entry ${finalDir} is incomplete after the build was committed`);
  return entry;
}
