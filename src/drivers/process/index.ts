export { copyAgentBundle, hiddenFromOthers, ROOT_SANDBOX_BASE } from './host-access.js';
export { createProcessDriver, type ProcessDriver } from './process-driver.js';
export type { IsolationTool, ProcessDriverDeps, ProcessDriverSettings } from './settings.js';
