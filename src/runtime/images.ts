/**
 * Guest images from a node's configuration: the recipe from command-line choices over the
 * host's apt mirror over the defaults, the cache in the data dir, the agent bundle of this
 * install (for microVM images), and the Docker engine the docker driver uses (`dockerHost`),
 * whose client (dockerode) loads only when asked for.
 */
import type Dockerode from 'dockerode';
import type { ImageToolPlan } from '../core/tool-plan.js';
import {
  type BuildGuestImageOptions,
  type BuildVmImageOptions,
  buildGuestImage,
  buildToolLayer,
  buildVmImage,
  type CachedGuestImage,
  type CachedVmImage,
  createGuestRecipe,
  DEFAULT_DEBIAN_MIRROR,
  DEFAULT_GUEST_REPOSITORY,
  type DockerImportInfo,
  findCachedImage,
  type GuestImageBuild,
  type GuestRecipe,
  guestImageId,
  importIntoDocker,
  listCachedImages,
  listDockerTags,
  listVmImages,
  readHostDebianMirror,
  type VmImageBuild,
} from '../images/index.js';
import type { AetherConfig } from './config.js';
import { agentBundlePath } from './paths.js';

export {
  type BuildProgress,
  DEFAULT_GUEST_PACKAGES,
  DEFAULT_VM_DISK_MIB,
  findVmImage,
  formatProgress,
  type GuestImageBuild,
  guestImageId,
  type VmBootFiles,
  type VmImageBuild,
} from '../images/index.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface GuestRecipeChoices {
  packages?: readonly string[] | undefined;
  suite?: string | undefined;
  mirror?: string | undefined;
}

export interface ChosenRecipe {
  recipe: GuestRecipe;
  /** Where the mirror came from, for the build banner. */
  mirrorSource: 'flag' | 'host apt' | 'default';
}

/** The recipe for `choices`; an unset mirror is the host apt's Debian mirror, else deb.debian.org. */
export function chooseGuestRecipe(
  choices: GuestRecipeChoices,
  hostMirror: () => string | null = () => readHostDebianMirror(),
): ChosenRecipe {
  const host = choices.mirror ? null : hostMirror();
  const mirror = choices.mirror ?? host ?? DEFAULT_DEBIAN_MIRROR;
  return {
    recipe: createGuestRecipe({ suite: choices.suite, packages: choices.packages, mirror }),
    mirrorSource: choices.mirror ? 'flag' : host ? 'host apt' : 'default',
  };
}

/** Builds (or finds in `<dataDir>/images`) the image for `recipe`, with tools found on env's PATH. */
export function buildGuestImageFromConfig(
  config: AetherConfig,
  env: Env,
  recipe: GuestRecipe,
  options: Pick<BuildGuestImageOptions, 'onProgress' | 'signal'> = {},
): Promise<GuestImageBuild> {
  return buildGuestImage(recipe, { ...options, dataDir: config.dataDir, env: { ...env } });
}

/** Bakes the plan's tools over a built rootfs (see buildToolLayer), with npm and tar on env's PATH. */
export function buildToolImageFromConfig(
  config: AetherConfig,
  env: Env,
  base: CachedGuestImage,
  plan: ImageToolPlan,
  options: Pick<BuildGuestImageOptions, 'onProgress' | 'signal'> = {},
): Promise<GuestImageBuild> {
  return buildToolLayer(base, plan, { ...options, dataDir: config.dataDir, env: { ...env } });
}

/**
 * Builds (or finds in `<dataDir>/images/vm`) the microVM boot files for `recipe`, with this
 * install's agent bundle (`dist/agent.js`); builds the rootfs first when it is not cached.
 */
export function buildVmImageFromConfig(
  config: AetherConfig,
  env: Env,
  recipe: GuestRecipe,
  options: Pick<BuildVmImageOptions, 'onProgress' | 'signal' | 'diskSizeMiB'> = {},
): Promise<VmImageBuild> {
  return buildVmImage(recipe, {
    ...options,
    dataDir: config.dataDir,
    env: { ...env },
    agentBundle: agentBundlePath(),
  });
}

/** The cached rootfs image of `recipe`, if any (reads the cache only). */
export function findCachedRootfs(
  config: AetherConfig,
  recipe: GuestRecipe,
): Promise<CachedGuestImage | null> {
  return findCachedImage(config.dataDir, guestImageId(recipe).hex);
}

/** The engine the docker driver uses too: `dockerHost` (DOCKER_HOST, config `docker.host`). */
export async function openDockerEngine(config: AetherConfig): Promise<Dockerode> {
  const { connectEngine } = await import('../drivers/docker/index.js');
  return connectEngine(config.dockerHost);
}

/** Imports a cached image into the configured engine and tags it; see importIntoDocker. */
export async function importGuestImage(
  config: AetherConfig,
  image: CachedGuestImage,
  options: { signal?: AbortSignal } = {},
): Promise<DockerImportInfo> {
  const docker = await openDockerEngine(config);
  return importIntoDocker(docker, image, { ...options, engineAddress: config.dockerHost });
}

/** A cached image as `aether image ls` shows it. */
export interface GuestImageListing {
  id: string;
  short: string;
  suite: string;
  packages: readonly string[];
  mirror: string;
  sizeBytes: number;
  createdAt: string;
  path: string;
  /** Only when the engine was asked: the Docker tags of this image (`<short>`, `latest`). */
  dockerTags?: string[];
  /** The newest microVM image made from this rootfs, or null when none was built (`--vm`). */
  vm: VmImageListing | null;
}

/** The boot files of a microVM image, as `aether image ls` shows them. */
export interface VmImageListing {
  id: string;
  short: string;
  /** `uname -r` of its kernel, e.g. 6.1.0-57-amd64. */
  kernelRelease: string;
  /** The Debian package and version it came from. */
  kernelPackage: string;
  kernelVersion: string;
  kernel: string;
  initrd: string;
  rootfs: string;
  diskSizeMiB: number;
  createdAt: string;
}

function vmListing(image: CachedVmImage): VmImageListing {
  const { manifest } = image;
  return {
    id: manifest.id,
    short: image.short,
    kernelRelease: manifest.kernel.release,
    kernelPackage: manifest.kernel.package,
    kernelVersion: manifest.kernel.version,
    kernel: image.kernel,
    initrd: image.initrd,
    rootfs: image.rootfs,
    diskSizeMiB: manifest.diskSizeMiB,
    createdAt: manifest.createdAt,
  };
}

/** The images cached in the data dir, newest first; with `docker`, the engine's tags of each. */
export async function listGuestImages(
  config: AetherConfig,
  options: { docker?: boolean } = {},
): Promise<GuestImageListing[]> {
  const images = await listCachedImages(config.dataDir);
  const vms = await listVmImages(config.dataDir);
  const tags = options.docker
    ? await listDockerTags(await openDockerEngine(config), DEFAULT_GUEST_REPOSITORY, config.dockerHost)
    : null;
  return images.map((image) => {
    const { manifest } = image;
    const listing: GuestImageListing = {
      id: manifest.id,
      short: image.short,
      suite: manifest.recipe.suite,
      packages: manifest.recipe.packages,
      mirror: manifest.recipe.mirror,
      sizeBytes: manifest.sizeBytes,
      createdAt: manifest.createdAt,
      path: image.rootfsPath,
      vm: null,
    };
    const vm = vms.find((candidate) => candidate.manifest.rootfsImageId === manifest.id);
    if (vm) listing.vm = vmListing(vm);
    if (tags) {
      const engineId = tags.get(image.short);
      listing.dockerTags = engineId
        ? [...tags].filter(([, id]) => id === engineId).map(([tag]) => `${DEFAULT_GUEST_REPOSITORY}:${tag}`)
        : [];
    }
    return listing;
  });
}
