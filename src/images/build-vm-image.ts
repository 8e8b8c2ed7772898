/**
 * Builds the boot files of a microVM guest on top of the cached Debian rootfs of a recipe
 * (building that first if it is missing): the host apt's Debian kernel (`vmlinuz`), an
 * initramfs of static busybox and the virtio/ext4 modules (`initrd.img`), and the rootfs with
 * the agent and /sbin/aether-init as a sparse ext4 image (`rootfs.ext4`). The result is cached
 * by the content address of every input (see vmImageId); a cache hit runs nothing as long as
 * apt's package lists are unchanged (apt's answer about the kernel version is remembered).
 */
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AetherError } from '../core/errors.js';
import {
  APT_LISTS_DIR,
  type AptCacheQuery,
  aptListsFingerprint,
  type BootPackages,
  createDownloadDir,
  findDownloadedDeb,
  noAptListsError,
  parseAptGet,
  queryBootPackages,
  readBootPackagesMemo,
  writeBootPackagesMemo,
} from './apt-packages.js';
import { removeBuildDir } from './build-dir.js';
import {
  type BuildGuestImageOptions,
  buildGuestImage,
  type GuestImageBuild,
  stepFailed,
} from './build-image.js';
import { createSpawnRunner, type RunResult } from './command-runner.js';
import {
  checkVmBuildHost,
  findTool,
  type HostToolOptions,
  searchDirs,
  toolMissingError,
} from './host-tools.js';
import { commitDir, createBuildDirIn, staleBuildDirsIn } from './image-cache.js';
import { guestImageId, VM_BUILDER_VERSION, vmImageId } from './image-id.js';
import { createInitramfs } from './initramfs.js';
import { hasPvhEntry, xzPayloadOffset } from './kernel-image.js';
import { readModuleTree, resolveModules, VM_GUEST_MODULES } from './kernel-modules.js';
import { createGuestRecipe, type GuestRecipe } from './recipe.js';
import {
  type CachedVmImage,
  findCachedVmImage,
  readVmCacheEntry,
  VM_INITRD_FILE,
  VM_KERNEL_FILE,
  VM_PVH_KERNEL_FILE,
  VM_ROOTFS_FILE,
  type VmImageManifest,
  vmImagesDir,
  writeVmManifest,
} from './vm-cache.js';
import { GUEST_INIT_SCRIPT, initramfsInitScript } from './vm-init-scripts.js';
import {
  DEFAULT_VM_DISK_MIB,
  mke2fsArgs,
  prepareVmRootfs,
  treeBytes,
  uuidFromHex,
  vmDiskSizeMiB,
} from './vm-rootfs.js';

/** apt's last answer about the boot packages, next to the VM images. */
const APT_MEMO_FILE = 'apt-packages.json';
const MAX_DISK_MIB = 1024 * 1024;

export interface BuildVmImageOptions extends BuildGuestImageOptions {
  /** The guest agent bundle (`dist/agent.js`); it becomes /opt/aether/agent.mjs in the guest. */
  agentBundle: string;
  /** Size of the ext4 root disk; default 4096 (grown to fit a tree that needs more). Sparse. */
  diskSizeMiB?: number | undefined;
  /** apt's package lists, fingerprinted to know when apt's answer may have changed; default /var/lib/apt/lists. */
  aptListsDir?: string;
}

export interface VmImageBuild extends CachedVmImage {
  /** True when the image came from the cache and nothing ran. */
  cached: boolean;
  /** Time spent building (the rootfs included, if it was built too); 0 on a cache hit. */
  durationMs: number;
  /** The Debian rootfs it was made from, built or found on the way; null on a cache hit. */
  rootfsImage: GuestImageBuild | null;
}

/** sha256 of the init scripts as this builder writes them, for the content address. */
function scriptsSha256(): string {
  return createHash('sha256')
    .update(initramfsInitScript(VM_GUEST_MODULES))
    .update('\0')
    .update(GUEST_INIT_SCRIPT)
    .digest('hex');
}

async function readAgentBundle(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new AetherError(
      'ERR_HOST_TOOL_MISSING',
      `the guest agent bundle ${file} is missing: run \`npm run build\` first`,
      { cause: error, details: { tool: 'agent bundle', file } },
    );
  }
}

function checkDiskSize(diskSizeMiB: number | undefined): number {
  const size = diskSizeMiB ?? DEFAULT_VM_DISK_MIB;
  if (!Number.isInteger(size) || size < 1 || size > MAX_DISK_MIB) {
    throw new AetherError(
      'ERR_VALIDATION',
      `disk size: ${String(diskSizeMiB)} must be a whole number of MiB between 1 and ${MAX_DISK_MIB}`,
      { details: { field: 'diskSizeMiB' } },
    );
  }
  return size;
}

function cancelled(step: string): AetherError {
  return new AetherError('ERR_IMAGE_BUILD_FAILED', `image build cancelled during ${step}`, {
    details: { step, cancelled: true },
  });
}

export async function buildVmImage(input: GuestRecipe, options: BuildVmImageOptions): Promise<VmImageBuild> {
  const recipe = createGuestRecipe(input);
  const { dataDir, signal, onProgress } = options;
  const requestedDisk = checkDiskSize(options.diskSizeMiB);
  const agent = await readAgentBundle(options.agentBundle);
  const toolOptions: HostToolOptions = {
    path: options.env.PATH,
    uid: options.uid,
    extraDirs: options.toolDirs,
  };
  const runner = options.runner ?? createSpawnRunner();
  const env = { ...options.env, PATH: searchDirs(toolOptions).join(path.delimiter), LC_ALL: 'C' };
  const run: Run = (file, args, more = {}) =>
    runner.run(file, args, {
      env,
      signal,
      ...more,
      ...(options.tailLines ? { tailLines: options.tailLines } : {}),
    });
  const listsDir = options.aptListsDir ?? APT_LISTS_DIR;

  const packages = await bootPackages(options.dataDir, listsDir, (args) =>
    aptCache(run, toolOptions, listsDir, args, signal),
  );
  const agentSha256 = createHash('sha256').update(agent).digest('hex');
  const { id, hex } = vmImageId({
    rootfsImageId: guestImageId(recipe).id,
    kernel: packages.kernel,
    busybox: packages.busybox,
    agentSha256,
    scriptsSha256: scriptsSha256(),
    modules: VM_GUEST_MODULES,
    diskSizeMiB: requestedDisk,
  });
  const hit = await findCachedVmImage(dataDir, hex);
  if (hit) return { ...hit, cached: true, durationMs: 0, rootfsImage: null };

  const started = Date.now();
  const tools = checkVmBuildHost(toolOptions);
  const rootfsImage = await buildGuestImage(recipe, options);
  const root = vmImagesDir(dataDir);
  const cleanup = { runner, env };
  for (const stale of await staleBuildDirsIn(root)) await removeBuildDir(stale, cleanup).catch(() => {});
  const buildDir = await createBuildDirIn(root);
  let downloads: string | null = null;
  try {
    const work = path.join(buildDir, 'work');
    await mkdir(work);
    const checked = (step: string, result: RunResult) => {
      if (result.exitCode !== 0 || signal?.aborted) throw stepFailed(step, result, signal);
    };

    // 1. The kernel and busybox packages, exactly the versions in the content address.
    downloads = await createDownloadDir();
    let count = 0;
    const wanted = [packages.kernel, packages.busybox];
    const download = await run(
      tools['apt-get'],
      ['download', ...wanted.map((p) => `${p.package}=${p.version}`)],
      {
        cwd: downloads,
        onLine: (line) => {
          const got = parseAptGet(line);
          if (got) onProgress?.({ phase: 'download', ...got, count: ++count, message: line });
        },
      },
    );
    checked('apt-get download', download);
    const kernelDir = path.join(work, 'kernel');
    const busyboxDir = path.join(work, 'busybox');
    onProgress?.({
      phase: 'kernel',
      count: 0,
      message: `unpacking ${packages.kernel.package} ${packages.kernel.version} and ${packages.busybox.package}`,
    });
    for (const [pkg, dir] of [
      [packages.kernel, kernelDir],
      [packages.busybox, busyboxDir],
    ] as const) {
      const deb = await findDownloadedDeb(downloads, pkg.package);
      checked('dpkg-deb', await run(tools['dpkg-deb'], ['-x', deb, dir]));
    }
    await rm(downloads, { recursive: true, force: true });
    downloads = null;
    const release = await kernelRelease(kernelDir);
    const vmlinuz = path.join(buildDir, VM_KERNEL_FILE);
    await copyFile(path.join(kernelDir, 'boot', `vmlinuz-${release}`), vmlinuz);
    const boot = await uncompressKernel(
      vmlinuz,
      path.join(buildDir, VM_PVH_KERNEL_FILE),
      work,
      async (args) => {
        checked('xz', await run(tools.xz, args));
      },
    );
    onProgress?.({
      phase: 'kernel',
      count: 0,
      message:
        boot === 'pvh'
          ? `${VM_PVH_KERNEL_FILE}: the uncompressed kernel, booted through its PVH entry (no decompression at boot)`
          : `${VM_KERNEL_FILE}: no XZ payload with a PVH entry; the VM boots the compressed kernel`,
    });

    // 2. The initramfs: busybox, the modules in load order, /init.
    const modules = await resolveModules(
      await readModuleTree(path.join(kernelDir, 'lib', 'modules', release)),
      VM_GUEST_MODULES,
    );
    onProgress?.({
      phase: 'initramfs',
      count: 0,
      message: `${VM_INITRD_FILE}: busybox and ${modules.length} modules (${modules.map((m) => m.name).join(' ')})`,
    });
    const initrd = await createInitramfs({ busybox: path.join(busyboxDir, 'bin', 'busybox'), modules });
    await writeFile(path.join(buildDir, VM_INITRD_FILE), initrd, { mode: 0o644 });
    await rm(kernelDir, { recursive: true, force: true });
    await rm(busyboxDir, { recursive: true, force: true });
    if (signal?.aborted) throw cancelled('initramfs');

    // 3. The root disk: the cached rootfs, unpacked with its owners, plus agent and init.
    onProgress?.({
      phase: 'populate',
      count: 0,
      message: `unpacking ${rootfsImage.short}/rootfs.tar, adding the agent and init`,
    });
    const tree = path.join(work, 'root');
    await mkdir(tree);
    checked('tar', await run(tools.tar, ['--numeric-owner', '-xpf', rootfsImage.rootfsPath, '-C', tree]));
    await prepareVmRootfs(tree, agent);
    const used = await treeBytes(tree);
    const diskSizeMiB = vmDiskSizeMiB(used, options.diskSizeMiB);
    onProgress?.({
      phase: 'ext4',
      count: 0,
      message: `${VM_ROOTFS_FILE}: ${diskSizeMiB} MiB (sparse), ${Math.ceil(used / 2 ** 20)} MiB of files`,
    });
    const ext4 = path.join(buildDir, VM_ROOTFS_FILE);
    let mke2fs = await run(tools.mke2fs, mke2fsArgs(tree, ext4, diskSizeMiB, uuidFromHex(hex)));
    if (
      mke2fs.exitCode !== 0 &&
      !signal?.aborted &&
      mke2fs.tail.some((l) => l.includes('assume_storage_prezeroed'))
    ) {
      // e2fsprogs before 1.47: no such option; the guest then zeroes its inode tables lazily.
      await rm(ext4, { force: true });
      mke2fs = await run(tools.mke2fs, mke2fsArgs(tree, ext4, diskSizeMiB, uuidFromHex(hex), false));
    }
    checked('mke2fs', mke2fs);
    await removeBuildDir(work, cleanup);

    const size = async (file: string) => (await stat(path.join(buildDir, file))).size;
    const pvh = boot === 'pvh';
    const manifest: VmImageManifest = {
      kind: 'vm',
      id,
      rootfsImageId: rootfsImage.manifest.id,
      recipe,
      kernel: { ...packages.kernel, release, boot },
      busybox: packages.busybox,
      agentSha256,
      modules: modules.map((module) => module.name),
      diskSizeMiB,
      sizes: {
        vmlinuz: await size(VM_KERNEL_FILE),
        vmlinux: pvh ? await size(VM_PVH_KERNEL_FILE) : null,
        initrd: await size(VM_INITRD_FILE),
        rootfs: await size(VM_ROOTFS_FILE),
      },
      createdAt: new Date().toISOString(),
      builderVersion: VM_BUILDER_VERSION,
    };
    await writeVmManifest(buildDir, manifest);
    const entry = await commitDir(buildDir, path.join(root, hex), (dir) => readVmCacheEntry(dir, hex));
    return { ...entry, cached: false, durationMs: Date.now() - started, rootfsImage };
  } catch (error) {
    await removeBuildDir(buildDir, cleanup).catch(() => {});
    if (error instanceof AetherError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AetherError('ERR_IMAGE_BUILD_FAILED', `microVM image build failed: ${message}`, {
      cause: error,
    });
  } finally {
    if (downloads) await rm(downloads, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * The kernel and busybox packages: apt's remembered answer while its lists are unchanged,
 * else asked again (and remembered). No lists at all: run apt-get update.
 */
async function bootPackages(dataDir: string, listsDir: string, query: AptCacheQuery): Promise<BootPackages> {
  const fingerprint = await aptListsFingerprint(listsDir);
  if (!fingerprint) throw noAptListsError(listsDir);
  const memoFile = path.join(vmImagesDir(dataDir), APT_MEMO_FILE);
  const remembered = await readBootPackagesMemo(memoFile, fingerprint);
  if (remembered) return remembered;
  const packages = await queryBootPackages(query, listsDir);
  await mkdir(vmImagesDir(dataDir), { recursive: true });
  await writeBootPackagesMemo(memoFile, fingerprint, packages);
  return packages;
}

type Run = (
  file: string,
  args: string[],
  more?: { cwd?: string; onLine?: (line: string) => void },
) => Promise<RunResult>;

/** apt-cache `args`, its whole output; "No packages found" means apt has no lists. */
async function aptCache(
  run: Run,
  toolOptions: HostToolOptions,
  listsDir: string,
  args: string[],
  signal?: AbortSignal,
): Promise<string> {
  const file = findTool('apt-cache', toolOptions);
  if (!file) throw toolMissingError('apt-cache', 'apt');
  const lines: string[] = [];
  const result = await run(file, args, { onLine: (line) => lines.push(line) });
  if (result.exitCode !== 0 || signal?.aborted) {
    if (!signal?.aborted && lines.some((line) => line.includes('No packages found')))
      throw noAptListsError(listsDir);
    throw stepFailed(`apt-cache ${args[0]}`, result, signal);
  }
  return lines.join('\n');
}

/**
 * Takes the ELF kernel out of the bzImage `vmlinuz` into `vmlinux` when it is XZ-compressed and
 * has a PVH entry point (the microvm machine then boots it with no decompression); resolves to
 * how the image's kernel boots. Only the kernel's own bytes decide, so every host makes the
 * same image from the same inputs.
 */
async function uncompressKernel(
  vmlinuz: string,
  vmlinux: string,
  work: string,
  xz: (args: string[]) => Promise<void>,
): Promise<'pvh' | 'bzimage'> {
  const bzImage = await readFile(vmlinuz);
  const at = xzPayloadOffset(bzImage);
  if (at < 0) return 'bzimage';
  const payload = path.join(work, 'vmlinux.xz');
  await writeFile(payload, bzImage.subarray(at));
  // The first stream only, whatever follows it in the bzImage; writes work/vmlinux.
  await xz(['--decompress', '--single-stream', '--threads=1', payload]);
  const elf = path.join(work, 'vmlinux');
  if (!hasPvhEntry(await readFile(elf))) return 'bzimage';
  await rename(elf, vmlinux);
  await chmod(vmlinux, 0o644);
  return 'pvh';
}

/** The release of the one kernel in an unpacked linux-image package: `boot/vmlinuz-<release>`. */
async function kernelRelease(kernelDir: string): Promise<string> {
  const names = (await readdir(path.join(kernelDir, 'boot')).catch(() => [] as string[])).filter((name) =>
    name.startsWith('vmlinuz-'),
  );
  if (names.length !== 1) {
    throw new AetherError(
      'ERR_IMAGE_BUILD_FAILED',
      `the kernel package holds ${names.length === 0 ? 'no' : names.length} boot/vmlinuz-* files; expected one`,
    );
  }
  return names[0]!.slice('vmlinuz-'.length);
}
