export { kernelIpArg, type NetworkAttachment } from '../core/network-attachment.js';
export { type CommandRunner, createCommandRunner } from './host-commands.js';
export {
  type HostChanges,
  type HostNetworkStatus,
  hostStatus,
  type SetupOptions,
  setupHost,
  teardownHost,
} from './host-setup.js';
export { chooseTapSource, hasNetAdmin, type TapSource } from './net-admin.js';
export {
  type NetworkSettings,
  networkSettingsFromConfig,
  resolveNetworkSettings,
} from './network-settings.js';
export { createVmNetwork, type VmNetwork, type VmNetworkOptions } from './vm-network.js';
