import { AetherError } from '../core/errors.js';
import { driverQueueName, SHARED_QUEUE, workerQueueName } from '../core/queue.js';
import { ActiveTasks } from './active-tasks.js';
import { createHandlerContext, type TaskHandlers, type WorkerDeps, type WorkerSettings } from './context.js';
import { handleJobRun } from './handlers/job-run.js';
import { handleSnapshotDelete } from './handlers/snapshot-delete.js';
import { handleVmCreate } from './handlers/vm-create.js';
import { handleVmDelete } from './handlers/vm-delete.js';
import { handleVmExecute } from './handlers/vm-execute.js';
import { handleVmPause, handleVmResume } from './handlers/vm-pause.js';
import { handleVmSnapshot } from './handlers/vm-snapshot.js';
import { handleVmStart } from './handlers/vm-start.js';
import { handleVmStop } from './handlers/vm-stop.js';
import { DEFAULT_HEALTH_INTERVAL_MS, type HealthMonitor, startHealthMonitor } from './health-monitor.js';
import { Membership } from './membership.js';
import {
  destroyAllSandboxes,
  reconcileNetwork,
  reconcileVms,
  recoverInterruptedTasks,
  requeueLostTasks,
  sweepOrphanSandboxes,
} from './reconcile.js';
import { createTaskProcessor } from './run-task.js';
import type { RunningCommands } from './running-commands.js';

export const TASK_HANDLERS: TaskHandlers = {
  'vm:create': handleVmCreate,
  'vm:execute': handleVmExecute,
  'vm:delete': handleVmDelete,
  'job:run': handleJobRun,
  'vm:snapshot': handleVmSnapshot,
  'snapshot:delete': handleSnapshotDelete,
  'vm:stop': handleVmStop,
  'vm:start': handleVmStart,
  'vm:pause': handleVmPause,
  'vm:resume': handleVmResume,
};

export interface Worker {
  readonly id: string;
  /** Registers, recovers what a crash interrupted, reconciles VMs, then consumes its queues. */
  start(): Promise<void>;
  /**
   * Drains: takes no new task, lets running ones finish within the drain deadline, then hands
   * back or ends the rest, and records itself `stopped`. VMs keep running.
   */
  stop(): Promise<void>;
  /** Tasks running now. */
  activeTasks(): number;
  /** The executions running here now: the data plane signals them and feeds their stdin. */
  readonly commands: RunningCommands;
}

export function createWorker(deps: WorkerDeps, settings: WorkerSettings): Worker {
  const ctx = createHandlerContext(deps, settings);
  const log = deps.logger.child({ component: 'worker', workerId: settings.workerId });
  const active = new ActiveTasks();
  // Creates only of the drivers this worker runs: placement follows what each worker offers.
  const queueNames = [
    SHARED_QUEUE,
    workerQueueName(settings.workerId),
    ...[...deps.drivers.keys()].map(driverQueueName),
  ];
  let reconcileTimer: NodeJS.Timeout | null = null;
  let health: HealthMonitor | null = null;

  const requeue = async (olderThanMs: number) => {
    try {
      await requeueLostTasks(deps, olderThanMs);
    } catch (error) {
      log.warn({ err: error }, 'task reconciliation failed; will try again');
    }
  };

  /** Tasks the store says this worker runs and it does not (a crash, an unrecordable result). */
  const settleUnfinished = async () => {
    const interrupted = await recoverInterruptedTasks(ctx, (taskId) => active.has(taskId));
    if (interrupted.requeued + interrupted.failed > 0)
      log.warn(interrupted, 'settled tasks recorded as running here that nothing runs');
  };

  /**
   * Every reconcile interval: what the queue lost, what this worker left unfinished, and
   * sandboxes here that no VM wants any more.
   */
  const sweep = async () => {
    await requeue(settings.reconcileIntervalMs);
    await settleUnfinished().catch((error: unknown) => {
      log.warn({ err: error }, 'sweep of unfinished tasks failed; will try again');
    });
    await sweepOrphanSandboxes(ctx)
      .then((destroyed) => {
        if (destroyed > 0) log.warn({ destroyed }, 'destroyed sandboxes no VM of this worker wants');
      })
      .catch((error: unknown) =>
        log.warn({ err: error }, 'sweep of orphaned sandboxes failed; will try again'),
      );
  };

  /** What a start and a return from a fence share: settle the past, then take work. */
  const catchUp = async () => {
    await settleUnfinished();
    const outcome = await reconcileVms(ctx);
    if (outcome.destroyed + outcome.lost + outcome.revived + outcome.failed > 0)
      log.info(outcome, 'reconciled VMs with the store');
    await reconcileNetwork(ctx).catch((error: unknown) => {
      log.warn({ err: error }, 'network reconciliation failed; leftovers stay until the next start');
    });
  };

  const membership = new Membership(
    deps.store,
    {
      id: settings.workerId,
      host: settings.host,
      drivers: [...deps.drivers.keys()],
      capacity: settings.concurrency,
      version: settings.version,
      ...(settings.dataUrl ? { dataUrl: settings.dataUrl } : {}),
    },
    { heartbeatIntervalMs: settings.heartbeatIntervalMs, leaseMs: settings.leaseMs },
    {
      activeTasks: () => active.size,
      stillConnected: () =>
        deps.queue.ping().then(
          () => true,
          () => false,
        ),
      onFenced: async (reason) => {
        // Nothing here may run on as this worker once the cluster may have given its work away.
        await deps.queue.pause().catch(() => {});
        active.abortAll(reason);
        await active.waitIdle(settings.drainTimeoutMs);
        const destroyed = await destroyAllSandboxes(ctx);
        log.error(
          { destroyed, reason: reason.message },
          'fenced: stopped its tasks and destroyed its sandboxes',
        );
      },
      onRejoined: async () => {
        await catchUp();
        await deps.queue.resume();
        await requeue(0);
      },
      onHeartbeat: (outcome) => ctx.metrics.heartbeat(outcome),
    },
    log,
  );

  return {
    id: settings.workerId,
    activeTasks: () => active.size,
    commands: ctx.commands,
    async start() {
      await membership.join();
      await catchUp();
      await deps.queue.consume(createTaskProcessor(ctx, TASK_HANDLERS, active), {
        queueNames,
        concurrency: settings.concurrency,
      });
      // At start, whatever the store has pending and the queue lacks is enqueued now; later
      // passes leave alone tasks younger than one interval (their enqueue may be under way).
      await requeue(0);
      reconcileTimer = setInterval(() => {
        if (!membership.fenced) void sweep();
      }, settings.reconcileIntervalMs);
      reconcileTimer.unref();
      health = startHealthMonitor(ctx, {
        intervalMs: settings.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS,
        active: () => !membership.fenced,
      });
    },
    async stop() {
      if (reconcileTimer) clearInterval(reconcileTimer);
      reconcileTimer = null;
      health?.stop();
      health = null;
      await membership.drain().catch(() => {});
      await deps.queue.pause().catch(() => {});
      if (!(await active.waitIdle(settings.drainTimeoutMs))) {
        log.warn({ running: active.size }, 'drain deadline passed; handing back what still runs');
        active.abortAll(
          new AetherError(
            'ERR_WORKER_DRAINING',
            `worker ${settings.workerId} stopped before the task finished (drain deadline ${settings.drainTimeoutMs} ms)`,
          ),
        );
        await active.waitIdle(10_000);
      }
      await membership.leave('stopped on request');
    },
  };
}
