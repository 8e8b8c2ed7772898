export { createProcessDriver, type ProcessDriver } from './process-driver.js';
export type { IsolationTool, ProcessDriverDeps, ProcessDriverSettings } from './settings.js';
