import { Counter, Histogram, type Registry } from 'prom-client';
import type { TaskType } from '../core/task.js';
import type { DriverName } from '../core/vm.js';

/** How one attempt at a task ended, as the worker saw it. */
export type TaskOutcome =
  | 'completed'
  | 'failed'
  /** Failed, with attempts left: back to pending for the queue to retry. */
  | 'retrying'
  | 'cancelled'
  | 'timed_out'
  /** Given back to the queue (drain deadline, lost lease) to run again elsewhere. */
  | 'handed_back';

/** How a driver exec round trip ended. */
export type ExecOutcome = 'exited' | 'timed_out' | 'signalled' | 'error';

/** What the store said to a heartbeat. */
export type HeartbeatOutcome = 'renewed' | 'refused' | 'failed';

/** What a worker reports about its own work. */
export interface WorkerMetrics {
  taskFinished(type: TaskType, outcome: TaskOutcome, seconds: number): void;
  execFinished(driver: DriverName, outcome: ExecOutcome, seconds: number): void;
  heartbeat(outcome: HeartbeatOutcome): void;
}

/** For a worker whose node exports nothing (and tests that do not look). */
export const NO_WORKER_METRICS: WorkerMetrics = {
  taskFinished() {},
  execFinished() {},
  heartbeat() {},
};

/** From a 10 ms exec to a 30-minute job. */
const TASK_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600, 1800];
const EXEC_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600];

export function createWorkerMetrics(registry: Registry, workerId: string): WorkerMetrics {
  const tasks = new Histogram({
    name: 'aether_task_duration_seconds',
    help: 'Time a worker spent on one attempt at a task, from its claim to its outcome, by type and outcome',
    labelNames: ['type', 'outcome'],
    buckets: TASK_BUCKETS_SECONDS,
    registers: [registry],
  });
  const execs = new Histogram({
    name: 'aether_exec_duration_seconds',
    help: "Round trip of one command through a VM's driver and guest agent (the command's own run time included), by driver and outcome",
    labelNames: ['driver', 'outcome'],
    buckets: EXEC_BUCKETS_SECONDS,
    registers: [registry],
  });
  const heartbeats = new Counter({
    name: 'aether_worker_heartbeats_total',
    help: 'Heartbeats this worker sent to the registry, by what the store answered',
    labelNames: ['worker', 'outcome'],
    registers: [registry],
  });
  return {
    taskFinished(type, outcome, seconds) {
      tasks.observe({ type, outcome }, seconds);
    },
    execFinished(driver, outcome, seconds) {
      execs.observe({ driver, outcome }, seconds);
    },
    heartbeat(outcome) {
      heartbeats.inc({ worker: workerId, outcome });
    },
  };
}
