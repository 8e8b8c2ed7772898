import { SHARED_QUEUE, workerQueueName } from '../core/queue.js';
import { createHandlerContext, type TaskHandlers, type WorkerDeps, type WorkerSettings } from './context.js';
import { handleJobRun } from './handlers/job-run.js';
import { handleVmCreate } from './handlers/vm-create.js';
import { handleVmDelete } from './handlers/vm-delete.js';
import { handleVmExecute } from './handlers/vm-execute.js';
import { reconcileVms, recoverInterruptedTasks, requeueLostTasks } from './reconcile.js';
import { createTaskProcessor } from './run-task.js';

export const TASK_HANDLERS: TaskHandlers = {
  'vm:create': handleVmCreate,
  'vm:execute': handleVmExecute,
  'vm:delete': handleVmDelete,
  'job:run': handleJobRun,
};

export interface Worker {
  readonly id: string;
  /** Reconciles VMs, then consumes the shared queue and this worker's own queue. */
  start(): Promise<void>;
  /** Stops taking tasks and waits for running ones; VMs keep running. */
  stop(): Promise<void>;
}

export function createWorker(deps: WorkerDeps, settings: WorkerSettings): Worker {
  const ctx = createHandlerContext(deps, settings);
  const log = deps.logger.child({ component: 'worker', workerId: settings.workerId });
  let reconcileTimer: NodeJS.Timeout | null = null;

  const requeue = async (olderThanMs: number) => {
    try {
      await requeueLostTasks(deps, olderThanMs);
    } catch (error) {
      log.warn({ err: error }, 'task reconciliation failed; will try again');
    }
  };

  return {
    id: settings.workerId,
    async start() {
      const interrupted = await recoverInterruptedTasks(ctx);
      if (interrupted.requeued + interrupted.failed > 0)
        log.warn(interrupted, 'recovered tasks a restart interrupted');
      const outcome = await reconcileVms(ctx);
      if (outcome.destroyed + outcome.lost > 0) log.info(outcome, 'reconciled VMs with the store');
      await deps.queue.consume(createTaskProcessor(ctx, TASK_HANDLERS), {
        queueNames: [SHARED_QUEUE, workerQueueName(settings.workerId)],
        concurrency: settings.concurrency,
      });
      // At start, whatever the store has pending and the queue lacks is enqueued now; later
      // passes leave alone tasks younger than one interval (their enqueue may be under way).
      await requeue(0);
      reconcileTimer = setInterval(
        () => void requeue(settings.reconcileIntervalMs),
        settings.reconcileIntervalMs,
      );
      reconcileTimer.unref();
    },
    async stop() {
      if (reconcileTimer) clearInterval(reconcileTimer);
      reconcileTimer = null;
    },
  };
}
