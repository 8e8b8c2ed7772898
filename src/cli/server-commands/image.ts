/**
 * What `aether image build|kernel|ls` run on this host: the image builders from src/runtime.
 * Loaded by `commands/image.ts` through `import()` once one of them is chosen.
 */
import { statSync } from 'node:fs';
import { AetherError } from '../../core/errors.js';
import { resolveToolRequests } from '../../core/tool-catalog.js';
import { type ImageToolPlan, planImageTools } from '../../core/tool-plan.js';
import { parseToolList, parseToolVersions } from '../../core/tools.js';
import { resolveConfig } from '../../runtime/config-file.js';
import {
  type BuildProgress,
  buildGuestImageFromConfig,
  buildToolImageFromConfig,
  buildVmImageFromConfig,
  chooseGuestRecipe,
  DEFAULT_GUEST_PACKAGES,
  findCachedRootfs,
  formatProgress,
  type GuestImageBuild,
  guestImageId,
  importGuestImage,
  listGuestImages,
  type VmImageBuild,
} from '../../runtime/images.js';
import {
  buildGuestKernelFromConfig,
  formatKernelProgress,
  type KernelBuildProgress,
  MAX_KERNEL_JOBS,
} from '../../runtime/kernel-build.js';
import { age, printFields, printJson, printTable } from '../format.js';

export interface ImageFlags {
  config?: string;
  dataDir?: string;
  json?: boolean;
  docker?: boolean;
}

export interface BuildFlags extends ImageFlags {
  packages?: string;
  suite?: string;
  mirror?: string;
  vm?: boolean;
  diskSizeMib?: string;
  tools?: string;
  toolVersions?: string;
}

/** The tools `--tools` and `--tool-versions` ask to bake; null when neither is given. */
function imageToolPlan(flags: BuildFlags): ImageToolPlan | null {
  if (flags.tools === undefined && flags.toolVersions === undefined) return null;
  const plan = planImageTools(
    resolveToolRequests({
      defaults: [],
      additional: parseToolList(flags.tools ?? ''),
      versions: parseToolVersions(flags.toolVersions ?? '', '--tool-versions'),
    }),
  );
  if (flags.vm && plan.npm.length > 0) {
    throw new AetherError(
      'ERR_VALIDATION',
      `--tools: ${plan.npm.map((n) => n.request.name).join(', ')} come from npm, which is baked into the rootfs and Docker image only; leave out --vm, or bake Debian-sourced tools only`,
      { details: { field: 'tools' } },
    );
  }
  return plan;
}

/** The data dir as every server command resolves it: --data-dir > config file > AETHER_DATA_DIR > ./.aether. */
function configFrom(flags: ImageFlags) {
  return resolveConfig({ env: process.env, flags: { dataDir: flags.dataDir }, configPath: flags.config })
    .config;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function packageList(text: string): string[] {
  return text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

/** Without a terminal (CI logs), per-package events are printed only every this many. */
const LOG_EVERY_PACKAGES = 25;

/**
 * Build progress on stderr: on a terminal a single line rewritten in place (stage lines, which
 * are few, stay on screen); elsewhere stage lines, the first package of each phase and then every
 * 25th, so a log shows progress without hundreds of lines.
 */
function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  let open = false;
  let phase: string | null = null;
  return {
    event(event: BuildProgress) {
      const text = formatProgress(event);
      if (!stream.isTTY) {
        const newPhase = event.phase !== phase;
        phase = event.phase;
        if (event.count === 0 || newPhase || event.count % LOG_EVERY_PACKAGES === 0)
          stream.write(`  ${text}\n`);
        return;
      }
      const width = Math.max(20, (stream.columns ?? 80) - 3);
      stream.write(`\r\x1b[2K  ${text.slice(0, width)}`);
      open = true;
      if (event.count === 0) {
        stream.write('\n');
        open = false;
      }
    },
    end() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}

/** A build failure prints the failing program's last lines, then fails with its first line. */
function reportedBuildError(error: unknown): unknown {
  if (!(error instanceof AetherError) || !Array.isArray(error.details?.output)) return error;
  const output = error.details.output as string[];
  process.stderr.write(`--- last ${output.length} lines of ${String(error.details.step)} output ---\n`);
  for (const line of output) process.stderr.write(`  | ${line}\n`);
  return new AetherError(error.code, error.message.split('\n')[0] ?? error.message, { cause: error });
}

/** Runs `work` with an AbortSignal that Ctrl-C (or SIGTERM) trips; a second Ctrl-C exits at once. */
async function cancellable<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\naether: stopping the build and removing its files (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function rootfsFields(build: GuestImageBuild, mirrorSource: string): [string, unknown][] {
  const { manifest } = build;
  return [
    ['image', manifest.id],
    ['short', build.short],
    ['suite', `${manifest.recipe.suite} (${manifest.recipe.variant})`],
    ['packages', manifest.recipe.packages.join(',')],
    ['mirror', `${manifest.recipe.mirror} (${mirrorSource})`],
    ['size', mib(manifest.sizeBytes)],
    ['rootfs', build.rootfsPath],
    ...(manifest.tools
      ? [
          ['tools', manifest.tools.map((t) => `${t.name} ${t.version} (${t.origin})`).join(', ')] as [
            string,
            unknown,
          ],
        ]
      : []),
    [
      'built',
      build.cached ? `cached (${manifest.createdAt})` : `in ${(build.durationMs / 1000).toFixed(1)} s`,
    ],
  ];
}

/** Bytes a (sparse) file really takes on disk. */
function allocated(file: string): number {
  try {
    return statSync(file).blocks * 512;
  } catch {
    return 0;
  }
}

function vmFields(vm: VmImageBuild): [string, unknown][] {
  const { manifest } = vm;
  return [
    ['vm image', manifest.id],
    ['vm short', vm.short],
    ['kernel', `${manifest.kernel.release} (${manifest.kernel.package} ${manifest.kernel.version})`],
    [
      'boot kernel',
      manifest.kernel.boot === 'pvh'
        ? `${vm.kernel} (${mib(manifest.sizes.vmlinux ?? 0)}, uncompressed: PVH entry, no decompression at boot)`
        : `${vm.kernel} (${mib(manifest.sizes.vmlinuz)}, bzImage)`,
    ],
    ['initrd', `${vm.initrd} (${mib(manifest.sizes.initrd)}, ${manifest.modules.length} modules)`],
    [
      'root disk',
      `${vm.rootfs} (ext4, ${manifest.diskSizeMiB} MiB, sparse: ${mib(allocated(vm.rootfs))} on disk)`,
    ],
    ['vm built', vm.cached ? `cached (${manifest.createdAt})` : `in ${(vm.durationMs / 1000).toFixed(1)} s`],
  ];
}

function diskSize(flags: BuildFlags): number | undefined {
  if (flags.diskSizeMib === undefined) return undefined;
  if (!flags.vm) throw new AetherError('ERR_VALIDATION', '--disk-size-mib applies to --vm builds only');
  const size = Number(flags.diskSizeMib);
  if (!/^\d+$/.test(flags.diskSizeMib) || !Number.isSafeInteger(size) || size < 1)
    throw new AetherError(
      'ERR_VALIDATION',
      `--disk-size-mib: ${flags.diskSizeMib} is not a whole number of MiB`,
    );
  return size;
}

export async function buildCommand(flags: BuildFlags): Promise<void> {
  const config = configFrom(flags);
  const diskSizeMiB = diskSize(flags);
  const toolPlan = imageToolPlan(flags);
  const packages = flags.packages === undefined ? undefined : packageList(flags.packages);
  const { recipe, mirrorSource } = chooseGuestRecipe({
    // Debian-sourced tools are packages of the recipe, so they change its content address.
    packages: toolPlan ? [...(packages ?? DEFAULT_GUEST_PACKAGES), ...toolPlan.debianPackages] : packages,
    suite: flags.suite,
    mirror: flags.mirror,
  });
  const progress = progressPrinter();
  process.stderr.write(
    `image ${guestImageId(recipe).short}: ${recipe.suite}, ${recipe.packages.length} packages, ` +
      `from ${recipe.mirror} (${mirrorSource}), cache ${config.dataDir}/images\n`,
  );
  const { build, vm, docker } = await cancellable(async (signal) => {
    const onProgress = (event: BuildProgress) => progress.event(event);
    let build: GuestImageBuild | null = null;
    let vm: VmImageBuild | null = null;
    try {
      // The VM build makes the rootfs first when it is missing; finding it afterwards is instant.
      if (flags.vm) {
        vm = await buildVmImageFromConfig(config, process.env, recipe, { signal, onProgress, diskSizeMiB });
      }
      if (vm?.rootfsImage) {
        build = vm.rootfsImage;
      } else if (!flags.vm || flags.docker) {
        build = await buildGuestImageFromConfig(config, process.env, recipe, { signal, onProgress });
      } else {
        const cached = await findCachedRootfs(config, recipe);
        build = cached ? { ...cached, cached: true, durationMs: 0 } : null;
      }
      if (build && toolPlan) {
        build = await buildToolImageFromConfig(config, process.env, build, toolPlan, { signal, onProgress });
      }
    } catch (error) {
      throw reportedBuildError(error);
    } finally {
      progress.end();
    }
    if (!flags.docker || !build) return { build, vm, docker: null };
    process.stderr.write(`importing into Docker as aetherium/guest:${build.short}\n`);
    return { build, vm, docker: await importGuestImage(config, build, { signal }) };
  });
  if (flags.json) {
    return printJson({
      ...(build
        ? {
            ...build.manifest,
            short: build.short,
            rootfs: build.rootfsPath,
            cached: build.cached,
            duration_ms: build.durationMs,
          }
        : {}),
      ...(docker ? { docker } : {}),
      ...(vm
        ? {
            vm: {
              ...vm.manifest,
              short: vm.short,
              kernel_path: vm.kernel,
              vmlinuz_path: vm.vmlinuz,
              initrd_path: vm.initrd,
              rootfs_path: vm.rootfs,
              cached: vm.cached,
              duration_ms: vm.durationMs,
            },
          }
        : {}),
    });
  }
  printFields([
    ...(build ? rootfsFields(build, mirrorSource) : []),
    ...(docker ? [['docker', docker.tags.join(', ')] as [string, unknown]] : []),
    ...(vm ? vmFields(vm) : []),
  ]);
}

export async function listCommand(flags: ImageFlags): Promise<void> {
  const images = await listGuestImages(configFrom(flags), { docker: flags.docker === true });
  if (flags.json) return printJson(images);
  printTable(
    ['ID', 'SUITE', 'PACKAGES', 'SIZE', 'CREATED', 'VM', ...(flags.docker ? ['DOCKER'] : [])],
    images.map((image) => [
      image.short,
      image.suite,
      image.packages.length,
      mib(image.sizeBytes),
      `${age(image.createdAt)} ago`,
      image.vm ? `${image.vm.short} (kernel ${image.vm.kernelRelease})` : 'no boot files',
      ...(flags.docker ? [image.dockerTags?.length ? image.dockerTags.join(', ') : 'not imported'] : []),
    ]),
  );
}

export interface KernelFlags extends ImageFlags {
  jobs?: string;
}

function kernelJobsFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const jobs = Number(text);
  if (!/^\d+$/.test(text) || jobs < 1 || jobs > MAX_KERNEL_JOBS)
    throw new AetherError(
      'ERR_VALIDATION',
      `--jobs: ${text} is not a whole number from 1 to ${MAX_KERNEL_JOBS}`,
    );
  return jobs;
}

/** Kernel build progress on stderr: one line per stage; compile counts rewritten in place on a terminal. */
function kernelProgressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  let open = false;
  return {
    event(event: KernelBuildProgress) {
      const text = formatKernelProgress(event);
      if (stream.isTTY && event.stage === 'compile' && event.count > 0) {
        stream.write(`\r\x1b[2K  ${text.slice(0, Math.max(20, (stream.columns ?? 80) - 3))}`);
        open = true;
        return;
      }
      stream.write(`${open ? '\n' : ''}  ${text}\n`);
      open = false;
    },
    end() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}

export async function kernelCommand(flags: KernelFlags): Promise<void> {
  const config = configFrom(flags);
  const jobs = kernelJobsFlag(flags.jobs);
  const progress = kernelProgressPrinter();
  process.stderr.write(
    `guest kernel for firecracker: Debian's linux-source, cache ${config.dataDir}/images/kernel\n`,
  );
  const kernel = await cancellable(async (signal) => {
    try {
      return await buildGuestKernelFromConfig(config, process.env, {
        jobs,
        signal,
        onProgress: (event) => progress.event(event),
      });
    } catch (error) {
      throw reportedBuildError(error);
    } finally {
      progress.end();
    }
  });
  if (flags.json) {
    return printJson({
      ...kernel.manifest,
      short: kernel.short,
      vmlinux: kernel.vmlinux,
      config_path: kernel.config,
      cached: kernel.cached,
      duration_ms: kernel.durationMs,
    });
  }
  const { manifest } = kernel;
  printFields([
    ['kernel', kernel.short],
    ['release', `${manifest.release} (${manifest.sourcePackage} ${manifest.sourceVersion})`],
    ['vmlinux', `${kernel.vmlinux} (${mib(manifest.sizeBytes)}, uncompressed ELF, PVH entry)`],
    ['config', kernel.config],
    [
      'built',
      kernel.cached ? `cached (${manifest.createdAt})` : `in ${(kernel.durationMs / 1000).toFixed(1)} s`,
    ],
    ['use', `AETHER_KERNEL=${kernel.vmlinux}`],
  ]);
}
