/**
 * Guest images: root filesystems built from Debian packages with debootstrap, cached by the
 * content address of their recipe, and imported into the local Docker engine. The Docker driver
 * runs them as containers; the microVM drivers will add a kernel, an initramfs and an ext4 image
 * on top of the same cached rootfs.
 */
export { type BuildGuestImageOptions, buildGuestImage, type GuestImageBuild } from './build-image.js';
export {
  type BuildPhase,
  type BuildProgress,
  formatProgress,
  type ProgressListener,
} from './build-progress.js';
export { type CommandRunner, createSpawnRunner, type RunOptions, type RunResult } from './command-runner.js';
export {
  DEFAULT_GUEST_REPOSITORY,
  type DockerImportInfo,
  type DockerImportOptions,
  dockerEngineAddress,
  IMAGE_ID_LABEL,
  importIntoDocker,
  listDockerTags,
} from './docker-import.js';
export { HOST_APT_SOURCES, readHostDebianMirror } from './host-mirror.js';
export { BUILD_TOOLS, checkBuildHost, findTool } from './host-tools.js';
export {
  type CachedGuestImage,
  findCachedImage,
  type GuestImageManifest,
  imagesDir,
  listCachedImages,
} from './image-cache.js';
export { BUILDER_VERSION, type GuestImageId, guestImageId, shortImageId } from './image-id.js';
export {
  createGuestRecipe,
  DEFAULT_DEBIAN_MIRROR,
  DEFAULT_GUEST_PACKAGES,
  DEFAULT_GUEST_SUITE,
  type GuestRecipe,
  type GuestRecipeOptions,
} from './recipe.js';
