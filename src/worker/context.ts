import type { VmDriver } from '../core/driver.js';
import { AetherError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { ExecutionRecord } from '../core/execution.js';
import type { Logger } from '../core/logger.js';
import type { LogSink } from '../core/logs.js';
import type { TaskQueue } from '../core/queue.js';
import type { Store } from '../core/store.js';
import type { TaskRecord, TaskResults, TaskType } from '../core/task.js';
import type { DriverName, VmRecord } from '../core/vm.js';
import { NO_WORKER_METRICS, type WorkerMetrics } from '../metrics/worker-metrics.js';
import type { VmNetwork } from '../network/vm-network.js';
import { RunningCommands } from './running-commands.js';
import { ToolProbeCache } from './tool-probe-cache.js';

export interface WorkerSettings {
  workerId: string;
  /** Where it runs and what it is, as the registry shows it. */
  host: string;
  version: string;
  concurrency: number;
  heartbeatIntervalMs: number;
  /** Heartbeats failing this long (with the queue unreachable too) make it give up its work. */
  leaseMs: number;
  /** How long a stop waits for running tasks before handing them back. */
  drainTimeoutMs: number;
  /** Stored output per stream per execution; the rest is dropped and the record marked truncated. */
  outputLimitBytes: number;
  /** How often to look for tasks the store has and the queue lost. */
  reconcileIntervalMs: number;
  /**
   * How often to check that the VMs running here are alive (sandbox up, agent answering); a dead
   * one becomes `failed`. Default DEFAULT_HEALTH_INTERVAL_MS.
   */
  healthIntervalMs?: number;
  /** Deadline of a create's tool installation; default DEFAULT_TOOL_INSTALL_TIMEOUT_MS. */
  toolInstallTimeoutMs?: number;
  /** Extra CA certificates (PEM) installers in VMs must trust (AETHER_TOOL_CA_FILE). */
  toolCaPem?: string;
  /** Where gateways in other processes reach this worker's data plane; absent, nowhere. */
  dataUrl?: string;
}

export interface WorkerDeps {
  store: Store;
  queue: TaskQueue;
  events: EventBus;
  drivers: ReadonlyMap<DriverName, VmDriver>;
  logger: Logger;
  /** Where command output goes as log lines (Loki or the store); absent, only the store keeps it. */
  logSink?: LogSink;
  /** Where task, exec and heartbeat series go; absent, nothing is recorded. */
  metrics?: WorkerMetrics;
  /** Host bridge networking for drivers with `tapNetwork`; absent, such VMs get no network. */
  network?: VmNetwork;
  /**
   * The registry of running executions, when the node made it first (its data plane listens
   * before the worker registers); absent, the worker makes its own.
   */
  commands?: RunningCommands;
}

/** What one attempt at a task carries beside the task: set by the processor and its handler. */
export interface Attempt {
  /**
   * The task's VM as read by the claim's own statement (null: none in the store); absent when
   * the attempt took the task over from another worker (read it then).
   */
  readonly claimedVm?: VmRecord | null;
  /**
   * Set by a handler that completed its task in the same statement as its last record (a
   * command's outcome): the processor then only announces it.
   */
  completed: { task: TaskRecord; execution: ExecutionRecord } | null;
}

export interface HandlerContext extends WorkerDeps {
  settings: WorkerSettings;
  metrics: WorkerMetrics;
  driverFor(vm: VmRecord): VmDriver;
  requireVm(vmId: string): Promise<VmRecord>;
  /**
   * The task's VM as its claim read it (same statement, no extra read), else as the store has
   * it now; ERR_VM_NOT_FOUND when it has none.
   */
  claimedVm(vmId: string): Promise<VmRecord>;
  /** Present while a handler runs under the task processor. */
  attempt?: Attempt;
  /** What fresh VMs of each image were found to have lately (tool probes at create). */
  toolProbes: ToolProbeCache;
  /** The executions running on this worker now, for signals and stdin that reach them. */
  commands: RunningCommands;
}

/** One handler per task type; a missing one fails to compile. */
export type TaskHandler<T extends TaskType> = (
  ctx: HandlerContext,
  task: TaskRecord<T>,
  signal: AbortSignal,
) => Promise<TaskResults[T]>;

export type TaskHandlers = { [T in TaskType]: TaskHandler<T> };

export function createHandlerContext(deps: WorkerDeps, settings: WorkerSettings): HandlerContext {
  return {
    ...deps,
    settings,
    metrics: deps.metrics ?? NO_WORKER_METRICS,
    toolProbes: new ToolProbeCache(),
    commands: deps.commands ?? new RunningCommands(),
    driverFor(vm) {
      const driver = deps.drivers.get(vm.driver);
      if (!driver)
        throw new AetherError('ERR_DRIVER_UNKNOWN', `worker ${settings.workerId} has no ${vm.driver} driver`);
      return driver;
    },
    claimedVm(vmId) {
      const claimed = this.attempt?.claimedVm;
      return claimed && claimed.id === vmId ? Promise.resolve(claimed) : this.requireVm(vmId);
    },
    async requireVm(vmId) {
      const vm = await deps.store.getVm(vmId);
      if (!vm) throw new AetherError('ERR_VM_NOT_FOUND', `VM ${vmId} is not in the store`);
      return vm;
    },
  };
}
