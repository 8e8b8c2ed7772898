/**
 * The Firecracker guest kernel from a node's configuration: built into, and found in, the data
 * dir's image cache, with the host tools found on the environment's PATH.
 */

import { type BuildKernelOptions, buildFirecrackerKernel, type KernelBuild } from '../images/index.js';
import type { AetherConfig } from './config.js';

export {
  formatKernelProgress,
  type KernelBuild,
  type KernelBuildProgress,
  MAX_KERNEL_JOBS,
} from '../images/index.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Builds (or finds in `<dataDir>/images/kernel`) the guest kernel for Firecracker VMs. */
export function buildGuestKernelFromConfig(
  config: AetherConfig,
  env: Env,
  options: Pick<BuildKernelOptions, 'jobs' | 'onProgress' | 'signal'> = {},
): Promise<KernelBuild> {
  return buildFirecrackerKernel({ ...options, dataDir: config.dataDir, env: { ...env } });
}
