/**
 * Builds a guest root filesystem from a recipe, or finds it in the cache. Steps: debootstrap
 * into a private build directory, trim the tree, pack it with tar, write the manifest, rename
 * the directory into the cache. A cache hit runs nothing. Any failure removes the build
 * directory; the error carries the failing program's last lines of output.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { AetherError } from '../core/errors.js';
import { removeBuildDir, unmountUnder } from './build-dir.js';
import { createDebootstrapProgressParser, type ProgressListener } from './build-progress.js';
import { type CommandRunner, createSpawnRunner, type RunResult } from './command-runner.js';
import { checkBuildHost, searchDirs } from './host-tools.js';
import {
  type CachedGuestImage,
  commitBuildDir,
  createBuildDir,
  findCachedImage,
  type GuestImageManifest,
  ROOTFS_FILE,
  staleBuildDirs,
  writeManifest,
} from './image-cache.js';
import { BUILDER_VERSION, guestImageId } from './image-id.js';
import { createGuestRecipe, type GuestRecipe } from './recipe.js';
import { trimRootfs } from './rootfs-trim.js';

export interface BuildGuestImageOptions {
  /** The cache lives in `<dataDir>/images`. */
  dataDir: string;
  /** Environment of the build: PATH finds the tools; debootstrap runs with it (plus LC_ALL=C). */
  env: NodeJS.ProcessEnv;
  onProgress?: ProgressListener;
  /** Aborting kills the running step and removes the build directory. */
  signal?: AbortSignal;
  /** Default: child_process.spawn. */
  runner?: CommandRunner;
  /** The effective uid, for the root check; default this process's. */
  uid?: number;
  /** Searched for tools after PATH; default /usr/sbin and /sbin. */
  toolDirs?: readonly string[];
  /** Output lines kept for the error message; default 50. */
  tailLines?: number;
}

export interface GuestImageBuild extends CachedGuestImage {
  /** True when the image came from the cache and nothing ran. */
  cached: boolean;
  /** Time spent building; 0 on a cache hit. */
  durationMs: number;
}

/**
 * What failed, as one line: debootstrap's own `E:` line when it printed one (seen on the way,
 * since stderr may arrive before the stdout lines that fill the tail), else its last line.
 */
function failureSummary(step: string, result: RunResult, errorLine: string | undefined): string {
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
  const reason = errorLine ?? [...result.tail].reverse().find((line) => line.trim() !== '');
  return reason ? `${step} ${how}: ${reason.trim()}` : `${step} ${how}`;
}

/** A failed (or cancelled) step as ERR_IMAGE_BUILD_FAILED carrying its last output lines. */
export function stepFailed(
  step: string,
  result: RunResult,
  signal: AbortSignal | undefined,
  errorLine?: string,
): AetherError {
  if (signal?.aborted) {
    return new AetherError('ERR_IMAGE_BUILD_FAILED', `image build cancelled during ${step}`, {
      details: { step, cancelled: true },
    });
  }
  const tail = result.tail;
  return new AetherError(
    'ERR_IMAGE_BUILD_FAILED',
    `${failureSummary(step, result, errorLine)}\n--- last ${tail.length} lines of ${step} output ---\n${tail.join('\n')}`,
    { details: { step, exitCode: result.exitCode, signal: result.signal, output: tail } },
  );
}

export async function buildGuestImage(
  input: GuestRecipe,
  options: BuildGuestImageOptions,
): Promise<GuestImageBuild> {
  // Validated again here: every field ends up on debootstrap's command line.
  const recipe = createGuestRecipe(input);
  const { dataDir, signal, onProgress } = options;
  const { id, hex } = guestImageId(recipe);
  const hit = await findCachedImage(dataDir, hex);
  if (hit) return { ...hit, cached: true, durationMs: 0 };

  const started = Date.now();
  const toolOptions = { path: options.env.PATH, uid: options.uid, extraDirs: options.toolDirs };
  const tools = checkBuildHost(toolOptions);
  const runner = options.runner ?? createSpawnRunner();
  // debootstrap calls chroot, mknod and friends by name: they live in the sbin directories.
  const env = { ...options.env, PATH: searchDirs(toolOptions).join(path.delimiter), LC_ALL: 'C' };
  const cleanup = { runner, env };
  for (const stale of await staleBuildDirs(dataDir)) await removeBuildDir(stale, cleanup).catch(() => {});

  const buildDir = await createBuildDir(dataDir);
  try {
    const rootfs = path.join(buildDir, 'rootfs');
    await mkdir(rootfs);
    const parse = createDebootstrapProgressParser();
    let errorLine: string | undefined;
    const args = [
      `--variant=${recipe.variant}`,
      ...(recipe.packages.length > 0 ? [`--include=${recipe.packages.join(',')}`] : []),
      recipe.suite,
      rootfs,
      recipe.mirror,
    ];
    const run = (file: string, argv: string[], onLine?: (line: string) => void) =>
      runner.run(file, argv, {
        env,
        signal,
        ...(onLine ? { onLine } : {}),
        ...(options.tailLines ? { tailLines: options.tailLines } : {}),
      });
    const debootstrap = await run(tools.debootstrap, args, (line) => {
      if (line.startsWith('E: ')) errorLine = line;
      const event = parse(line);
      if (event) onProgress?.(event);
    });
    if (debootstrap.exitCode !== 0 || signal?.aborted)
      throw stepFailed('debootstrap', debootstrap, signal, errorLine);
    // Normally debootstrap has unmounted /proc and /sys itself; tar must never pack the host's.
    await unmountUnder(rootfs, cleanup);

    onProgress?.({ phase: 'trim', count: 0, message: 'dropping apt caches and the build host identity' });
    await trimRootfs(rootfs);

    const tarball = path.join(buildDir, ROOTFS_FILE);
    onProgress?.({ phase: 'archive', count: 0, message: `writing ${ROOTFS_FILE}` });
    const tar = await run(tools.tar, ['--numeric-owner', '-C', rootfs, '-cf', tarball, '.']);
    if (tar.exitCode !== 0 || signal?.aborted) throw stepFailed('tar', tar, signal);
    await removeBuildDir(rootfs, cleanup);

    const manifest: GuestImageManifest = {
      id,
      recipe,
      createdAt: new Date().toISOString(),
      sizeBytes: (await stat(tarball)).size,
      builderVersion: BUILDER_VERSION,
    };
    await writeManifest(buildDir, manifest);
    const entry = await commitBuildDir(dataDir, buildDir, hex);
    return { ...entry, cached: false, durationMs: Date.now() - started };
  } catch (error) {
    await removeBuildDir(buildDir, cleanup).catch(() => {});
    if (error instanceof AetherError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AetherError('ERR_IMAGE_BUILD_FAILED', `image build failed: ${message}`, { cause: error });
  }
}
