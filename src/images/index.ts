/**
 * Guest images: root filesystems built from Debian packages with debootstrap, cached by the
 * content address of their recipe, and imported into the local Docker engine. The Docker driver
 * runs them as containers; for the microVM drivers, `buildVmImage` adds the host apt's Debian
 * kernel, an initramfs and an ext4 image on top of the same cached rootfs, and
 * `buildFirecrackerKernel` compiles Firecracker's guest kernel from Debian's kernel source.
 */
export { type BuildGuestImageOptions, buildGuestImage, type GuestImageBuild } from './build-image.js';
export {
  type BuildPhase,
  type BuildProgress,
  formatProgress,
  type ProgressListener,
} from './build-progress.js';
export { type BuildVmImageOptions, buildVmImage, type VmImageBuild } from './build-vm-image.js';
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
export { BUILD_TOOLS, checkBuildHost, checkVmBuildHost, findTool, VM_BUILD_TOOLS } from './host-tools.js';
export {
  type BakedTool,
  type CachedGuestImage,
  findCachedImage,
  type GuestImageManifest,
  imagesDir,
  listCachedImages,
} from './image-cache.js';
export {
  BUILDER_VERSION,
  type GuestImageId,
  guestImageId,
  shortImageId,
  VM_BUILDER_VERSION,
  type VmImageInputs,
  vmImageId,
} from './image-id.js';
export {
  type BuildKernelOptions,
  buildFirecrackerKernel,
  type KernelBuild,
  kernelJobs,
  MAX_KERNEL_JOBS,
} from './kernel-build.js';
export { type CachedKernel, type KernelManifest, kernelsDir } from './kernel-build-cache.js';
export {
  DRIVER_REQUIRED_OPTIONS,
  KERNEL_CONFIG_FRAGMENT,
} from './kernel-build-config.js';
export {
  formatKernelProgress,
  type KernelBuildProgress,
  type KernelProgressListener,
} from './kernel-build-progress.js';
export { KERNEL_BUILD_HEADERS, KERNEL_BUILD_TOOLS } from './kernel-build-tools.js';
export { VM_GUEST_MODULES } from './kernel-modules.js';
export {
  createGuestRecipe,
  DEFAULT_DEBIAN_MIRROR,
  DEFAULT_GUEST_PACKAGES,
  DEFAULT_GUEST_SUITE,
  type GuestRecipe,
  type GuestRecipeOptions,
} from './recipe.js';
export { buildToolLayer, GUEST_TOOLS_PREFIX, type ToolLayerOptions, toolImageId } from './tool-layer.js';
export {
  type CachedVmImage,
  findCachedVmImage,
  findVmImage,
  listVmImages,
  type VmBootFiles,
  type VmImageManifest,
  vmImagesDir,
} from './vm-cache.js';
export {
  AGENT_SERIAL_NAME,
  GUEST_AGENT_COMMAND,
  GUEST_AGENT_PATH,
  VM_INIT_MARKER,
} from './vm-init-scripts.js';
export { DEFAULT_VM_DISK_MIB } from './vm-rootfs.js';
