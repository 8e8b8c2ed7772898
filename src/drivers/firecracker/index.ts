export { FirecrackerApi } from './api-client.js';
export type * from './api-types.js';
export { createFirecrackerDriver, type FirecrackerDriver } from './firecracker-driver.js';
export type { JailerOptions } from './jailer.js';
export {
  type PreflightCheck,
  type PreflightOptions,
  type PreflightReport,
  runFirecrackerPreflight,
} from './preflight.js';
export type {
  FirecrackerDriverDeps,
  FirecrackerDriverSettings,
  FirecrackerImage,
  VmmLaunch,
  VmmSpawner,
} from './settings.js';
export { AGENT_VSOCK_PORT } from './vsock.js';
