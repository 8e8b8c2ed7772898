/**
 * `aether image kernel`: a Firecracker-ready guest kernel from Debian's own kernel source.
 * Debian's packaged kernel has virtio as modules and no command-line virtio-mmio discovery, which
 * Firecracker needs, so this builds one: `apt-get download linux-source-<v>`, unpack, `make
 * tinyconfig`, merge firecracker-kernel.config (the kernel's merge_config.sh, then olddefconfig),
 * check every option survived, `make vmlinux`, check again, and install vmlinux into
 * `<dataDir>/images/kernel/<hex>/`, addressed by source version and fragment, so an unchanged
 * rebuild asks apt for the version and returns.
 */

import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { AetherError } from '../core/errors.js';
import { createDownloadDir, findDownloadedDeb } from './apt-packages.js';
import { stepFailed } from './build-image.js';
import { type CommandRunner, createSpawnRunner, type RunOptions, type RunResult } from './command-runner.js';
import { commitDir, createBuildDirIn, MANIFEST_FILE, staleBuildDirsIn } from './image-cache.js';
import {
  type CachedKernel,
  findCachedKernel,
  KERNEL_BUILDER_VERSION,
  KERNEL_CONFIG_FILE,
  KERNEL_FILE,
  type KernelManifest,
  kernelBuildId,
  kernelsDir,
} from './kernel-build-cache.js';
import {
  assertKernelConfig,
  type ConfigFragment,
  KERNEL_CONFIG_FRAGMENT,
  parseKernelConfig,
  readConfigFragment,
} from './kernel-build-config.js';
import { createCompileProgress, type KernelProgressListener } from './kernel-build-progress.js';
import { type KernelSource, resolveKernelSource, sourceTarballPath } from './kernel-build-source.js';
import { checkKernelBuildHost, type KernelBuildTool } from './kernel-build-tools.js';
import { hasPvhEntry } from './kernel-image.js';

/** The fragment is for x86_64 guests; `ARCH=x86_64` also makes Kconfig's 64BIT fixed, not a question. */
const KERNEL_ARCH = 'x86_64';
export const MAX_KERNEL_JOBS = 256;

export interface BuildKernelOptions {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Parallel compile jobs (`make -j`); default the host's available parallelism. */
  jobs?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: KernelProgressListener | undefined;
  runner?: CommandRunner;
  /** Default the committed firecracker-kernel.config. */
  fragmentFile?: string;
}

export interface KernelBuild extends CachedKernel {
  cached: boolean;
  durationMs: number;
}

type Tools = Record<KernelBuildTool, string>;
type Run = (file: string, args: readonly string[], extra?: Partial<RunOptions>) => Promise<RunResult>;

/** The steps' shared context: how to run a program, and when a result means failure. */
export interface KernelStepContext {
  tools: Tools;
  run: Run;
  signal?: AbortSignal | undefined;
  onProgress?: KernelProgressListener | undefined;
}

function checked(step: string, result: RunResult, signal: AbortSignal | undefined): void {
  if (result.exitCode !== 0 || signal?.aborted) throw stepFailed(step, result, signal);
}

/** Validates `--jobs`: a whole number 1..MAX_KERNEL_JOBS; undefined is the host's parallelism. */
export function kernelJobs(jobs: number | undefined): number {
  if (jobs === undefined) return Math.max(1, availableParallelism());
  if (!Number.isSafeInteger(jobs) || jobs < 1 || jobs > MAX_KERNEL_JOBS) {
    throw new AetherError(
      'ERR_VALIDATION',
      `jobs must be a whole number from 1 to ${MAX_KERNEL_JOBS}, not ${jobs}`,
    );
  }
  return jobs;
}

/** A step context over a real (or given) runner, with tools found on env's PATH. */
export function createKernelStepContext(options: {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal | undefined;
  onProgress?: KernelProgressListener | undefined;
  runner?: CommandRunner;
}): KernelStepContext {
  const runner = options.runner ?? createSpawnRunner();
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    LC_ALL: 'C',
    // Fixed build identity: the kernel's banner should not name the host that built it.
    KBUILD_BUILD_USER: 'aether',
    KBUILD_BUILD_HOST: 'aether',
  };
  const tools = checkKernelBuildHost({ path: env.PATH });
  return {
    tools,
    signal: options.signal,
    onProgress: options.onProgress,
    run: (file, args, extra = {}) => runner.run(file, args, { env, signal: options.signal, ...extra }),
  };
}

/** The source package and version apt would download now. */
export async function queryKernelSource(context: KernelStepContext): Promise<KernelSource> {
  return resolveKernelSource(async (args) => {
    const lines: string[] = [];
    const result = await context.run(context.tools['apt-cache'], args, {
      onLine: (line) => lines.push(line),
    });
    checked(`apt-cache ${args[0]}`, result, context.signal);
    return lines.join('\n');
  });
}

/** Downloads and unpacks `source` under `workDir`; resolves to the source tree. */
export async function fetchKernelSource(
  context: KernelStepContext,
  source: KernelSource,
  workDir: string,
): Promise<string> {
  const { tools, run, signal, onProgress } = context;
  const downloads = await createDownloadDir();
  try {
    onProgress?.({ stage: 'download', count: 0, message: `${source.package} ${source.version}` });
    const download = await run(tools['apt-get'], ['download', `${source.package}=${source.version}`], {
      cwd: downloads,
    });
    checked('apt-get download', download, signal);
    const deb = await findDownloadedDeb(downloads, source.package);
    const debSize = (await stat(deb)).size;
    onProgress?.({
      stage: 'extract',
      count: 0,
      message: `${path.basename(deb)} (${(debSize / 2 ** 20).toFixed(0)} MiB): unpacking the source tarball`,
    });
    const unpacked = path.join(workDir, 'deb');
    checked('dpkg-deb', await run(tools['dpkg-deb'], ['-x', deb, unpacked]), signal);
    await rm(downloads, { recursive: true, force: true });
    const tarball = path.join(unpacked, sourceTarballPath(source));
    checked('tar', await run(tools.tar, ['-xJf', tarball, '-C', workDir]), signal);
    await rm(unpacked, { recursive: true, force: true });
    const tree = path.join(workDir, source.package);
    if (!(await stat(path.join(tree, 'Makefile')).catch(() => null))?.isFile()) {
      throw new AetherError(
        'ERR_IMAGE_BUILD_FAILED',
        `${path.basename(tarball)} has no ${source.package}/Makefile`,
      );
    }
    return tree;
  } finally {
    await rm(downloads, { recursive: true, force: true }).catch(() => {});
  }
}

/** `make ARCH=x86_64 <target>` in `tree`, failing with the make output's tail. */
async function make(
  context: KernelStepContext,
  tree: string,
  args: string[],
  extra: Partial<RunOptions> = {},
) {
  const result = await context.run(context.tools.make, ['-C', tree, `ARCH=${KERNEL_ARCH}`, ...args], {
    tailLines: 80,
    ...extra,
  });
  checked(`make ${args.filter((arg) => !arg.startsWith('-')).join(' ')}`, result, context.signal);
}

/** Reads `tree/.config` and throws ERR_KERNEL_CONFIG naming any fragment option it lost. */
export async function verifyKernelConfig(
  tree: string,
  fragment: ConfigFragment,
  source: string,
): Promise<void> {
  const actual = parseKernelConfig(await readFile(path.join(tree, '.config'), 'utf8'));
  assertKernelConfig(fragment.config, actual, source);
}

/** tinyconfig, the fragment merged with the kernel's merge_config.sh, olddefconfig, then the check. */
export async function configureKernel(
  context: KernelStepContext,
  tree: string,
  fragment: ConfigFragment,
  fragmentFile: string,
  source: string,
): Promise<void> {
  const { run, signal, onProgress } = context;
  onProgress?.({ stage: 'configure', count: 0, message: 'make tinyconfig' });
  await make(context, tree, ['tinyconfig']);
  onProgress?.({ stage: 'configure', count: 0, message: `merging ${path.basename(fragmentFile)}` });
  const merge = await run(
    path.join(tree, 'scripts', 'kconfig', 'merge_config.sh'),
    ['-m', '-O', tree, path.join(tree, '.config'), fragmentFile],
    { cwd: tree },
  );
  checked('merge_config.sh', merge, signal);
  await make(context, tree, ['olddefconfig']);
  await verifyKernelConfig(tree, fragment, source);
  onProgress?.({
    stage: 'configure',
    count: 0,
    message: `.config keeps all ${fragment.config.values.size + fragment.config.unset.size} options of the fragment`,
  });
}

/** `make vmlinux -j N`, reporting compiled files as it goes; resolves to `make kernelrelease`. */
export async function compileKernel(context: KernelStepContext, tree: string, jobs: number): Promise<string> {
  const progress = createCompileProgress();
  context.onProgress?.({ stage: 'compile', count: 0, message: `make vmlinux -j${jobs}` });
  await make(context, tree, [`-j${jobs}`, 'vmlinux'], {
    onLine: (line) => {
      const event = progress(line);
      if (event) context.onProgress?.(event);
    },
  });
  const lines: string[] = [];
  await make(context, tree, ['-s', 'kernelrelease'], { onLine: (line) => lines.push(line) });
  const release = lines.map((line) => line.trim()).find((line) => /^\d+\.\d+/.test(line));
  if (!release) throw new AetherError('ERR_IMAGE_BUILD_FAILED', 'make kernelrelease printed no release');
  return release;
}

/** Throws unless `file` is an ELF kernel with the PVH entry note (the fragment asks for CONFIG_PVH). */
export async function assertBootableVmlinux(file: string): Promise<void> {
  // Whole: the note segment's place depends on the configuration (11 MiB into a tinyconfig
  // 6.1 vmlinux of 18 MiB), and a build reads its result once.
  if (!hasPvhEntry(await readFile(file))) {
    throw new AetherError('ERR_IMAGE_BUILD_FAILED', `${file} is not an ELF kernel with a PVH entry point`);
  }
}

/**
 * Builds the guest kernel, or finds it in `<dataDir>/images/kernel`. Apt is asked for the source
 * version each time (a security update is a new kernel); nothing else runs on a cache hit.
 */
export async function buildFirecrackerKernel(options: BuildKernelOptions): Promise<KernelBuild> {
  if (process.arch !== 'x64') {
    throw new AetherError(
      'ERR_UNSUPPORTED',
      `the guest kernel configuration is for x86_64 hosts, not ${process.arch}`,
    );
  }
  const jobs = kernelJobs(options.jobs);
  const fragmentFile = options.fragmentFile ?? KERNEL_CONFIG_FRAGMENT;
  const fragment = await readConfigFragment(fragmentFile);
  const context = createKernelStepContext(options);
  const { signal, onProgress } = context;
  const source = await queryKernelSource(context);
  const { id, hex, short } = kernelBuildId({
    sourcePackage: source.package,
    sourceVersion: source.version,
    fragmentSha256: fragment.sha256,
  });
  onProgress?.({
    stage: 'source',
    count: 0,
    message: `${source.package} ${source.version}: kernel ${short}`,
  });
  const hit = await findCachedKernel(options.dataDir, hex);
  if (hit) {
    onProgress?.({ stage: 'cached', count: 0, message: `${hit.vmlinux} (built ${hit.manifest.createdAt})` });
    return { ...hit, cached: true, durationMs: 0 };
  }

  const started = Date.now();
  const root = kernelsDir(options.dataDir);
  for (const stale of await staleBuildDirsIn(root))
    await rm(stale, { recursive: true, force: true }).catch(() => {});
  const buildDir = await createBuildDirIn(root);
  try {
    const work = path.join(buildDir, 'work');
    await mkdir(work);
    const label = `${source.package} ${source.version}`;
    const tree = await fetchKernelSource(context, source, work);
    await configureKernel(context, tree, fragment, fragmentFile, label);
    const release = await compileKernel(context, tree, jobs);

    onProgress?.({ stage: 'verify', count: 0, message: `checking ${KERNEL_FILE} and its .config` });
    // make may rewrite .config (syncconfig); what was compiled is what the check must see.
    await verifyKernelConfig(tree, fragment, label);
    await assertBootableVmlinux(path.join(tree, KERNEL_FILE));

    onProgress?.({ stage: 'install', count: 0, message: `${KERNEL_FILE} ${release} into ${root}` });
    await copyFile(path.join(tree, KERNEL_FILE), path.join(buildDir, KERNEL_FILE));
    await copyFile(path.join(tree, '.config'), path.join(buildDir, KERNEL_CONFIG_FILE));
    await rm(work, { recursive: true, force: true });
    if (signal?.aborted) throw stepFailed('install', { exitCode: null, signal: null, tail: [] }, signal);
    const manifest: KernelManifest = {
      kind: 'kernel',
      id,
      sourcePackage: source.package,
      sourceVersion: source.version,
      fragmentSha256: fragment.sha256,
      release,
      sizeBytes: (await stat(path.join(buildDir, KERNEL_FILE))).size,
      createdAt: new Date().toISOString(),
      builderVersion: KERNEL_BUILDER_VERSION,
    };
    await writeFile(path.join(buildDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, {
      mode: 0o644,
    });
    const entry = await commitDir(buildDir, path.join(root, hex), () =>
      findCachedKernel(options.dataDir, hex),
    );
    return { ...entry, cached: false, durationMs: Date.now() - started };
  } catch (error) {
    await rm(buildDir, { recursive: true, force: true }).catch(() => {});
    if (error instanceof AetherError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AetherError('ERR_IMAGE_BUILD_FAILED', `guest kernel build failed: ${message}`, {
      cause: error,
    });
  }
}
