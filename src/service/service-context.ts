import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Quota } from '../core/principal.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import type { TaskType } from '../core/task.js';
import type { DriverInfo, DriverName } from '../core/vm.js';
import type { LifetimeDefaults } from './vm-lifetimes.js';

/** What every service reads and writes through: the store first, the queue only dispatches. */
export interface ServiceDeps {
  store: Store;
  queue: TaskQueue;
  events: EventBus;
  logger: Logger;
}

/** One settings object for every service of a node; each reads the part it needs. */
export interface ServiceSettings {
  /** The driver of a create that names none; whether a worker runs it is read from the store. */
  defaultDriver: DriverName;
  /** The drivers of this build and their features (from the runtime's list of driver modules). */
  drivers: readonly DriverInfo[];
  timeouts: Record<TaskType, number>;
  maxWaitMs: number;
  /** Limits on a project's live VMs; none = unlimited. */
  quotaFor?: (project: string) => Quota | undefined;
  /** Tools every VM gets where it can (catalog names); default none. */
  defaultTools?: readonly string[];
  /** Deadline of a create's tool installation; added to the vm:create limit when tools are asked. */
  toolInstallTimeoutMs?: number;
  /** Lifetime and idle timeout of VMs whose create asks for none; default none. */
  lifetimeDefaults?: LifetimeDefaults;
}
