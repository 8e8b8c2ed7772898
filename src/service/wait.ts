import { AetherError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Store } from '../core/store.js';
import { isTaskTerminal, type TaskRecord } from '../core/task.js';

/** Events may be lost (Redis pub/sub is fire-and-forget): re-read the store this often anyway. */
const POLL_INTERVAL_MS = 1_000;

/**
 * Wait until a task is terminal. Subscribes first, then reads the store, so an update between
 * the two is never missed; each event only prompts a fresh read of the store.
 */
export function waitForTask(
  deps: { store: Store; events: EventBus },
  taskId: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<TaskRecord> {
  return new Promise<TaskRecord>((resolve, reject) => {
    let settled = false;
    let reading = false;
    let rereadRequested = false;
    const finish = (error: Error | null, task?: TaskRecord) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearTimeout(deadline);
      clearInterval(poll);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(task!);
    };
    const check = async () => {
      if (settled) return;
      if (reading) {
        rereadRequested = true;
        return;
      }
      reading = true;
      try {
        do {
          rereadRequested = false;
          const task = await deps.store.getTask(taskId);
          if (!task) return finish(new AetherError('ERR_TASK_NOT_FOUND', `no task with id ${taskId}`));
          if (isTaskTerminal(task.status)) return finish(null, task);
        } while (rereadRequested && !settled);
      } catch (error) {
        finish(error as Error);
      } finally {
        reading = false;
      }
    };
    const onAbort = () =>
      finish(new AetherError('ERR_TASK_CANCELLED', 'the wait was abandoned by the caller'));
    const unsubscribe = deps.events.subscribe('task.updated', (event) => {
      // Only an end is worth a read; the poll covers any event that never arrives.
      if (event.taskId === taskId && isTaskTerminal(event.status)) void check();
    });
    const deadline = setTimeout(
      () =>
        finish(
          new AetherError(
            'ERR_WAIT_TIMEOUT',
            `task ${taskId} did not finish within ${timeoutMs} ms; it goes on running`,
            {
              details: { taskId },
            },
          ),
        ),
      timeoutMs,
    );
    const poll = setInterval(() => void check(), POLL_INTERVAL_MS);
    signal?.addEventListener('abort', onAbort, { once: true });
    void check();
  });
}
