import { AetherError } from '../core/errors.js';
import type { EventBus, Unsubscribe } from '../core/events.js';
import type { Store } from '../core/store.js';
import { isTaskTerminal, type TaskRecord } from '../core/task.js';

/** Events may be lost (Redis pub/sub is fire-and-forget): re-read the store this often anyway. */
const POLL_INTERVAL_MS = 1_000;

/**
 * One subscription to task events per process, shared by every waiter and kept open: each wait
 * would otherwise SUBSCRIBE and UNSUBSCRIBE on Redis, and an end published before its own
 * subscription took effect would only be seen at the next poll.
 */
export class TaskEndings {
  private readonly watchers = new Map<string, Set<() => void>>();
  private subscription: { unsubscribe: Unsubscribe; ready: Promise<void> } | null = null;

  constructor(private readonly events: EventBus & { ready?: () => Promise<void> }) {}

  /** Calls `onEnd` whenever an event says `taskId` ended; resolves once events are flowing. */
  async watch(taskId: string, onEnd: () => void): Promise<Unsubscribe> {
    this.subscription ??= {
      unsubscribe: this.events.subscribe('task.updated', (event) => {
        if (!isTaskTerminal(event.status)) return;
        for (const notify of this.watchers.get(event.taskId) ?? []) notify();
      }),
      ready: this.events.ready?.() ?? Promise.resolve(),
    };
    let set = this.watchers.get(taskId);
    if (!set) {
      set = new Set();
      this.watchers.set(taskId, set);
    }
    set.add(onEnd);
    await this.subscription.ready;
    return () => {
      set.delete(onEnd);
      if (set.size === 0 && this.watchers.get(taskId) === set) this.watchers.delete(taskId);
    };
  }

  close(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.watchers.clear();
  }
}

/**
 * Wait until a task is terminal. Watches first, then reads the store, so an end between the two
 * is never missed; each event only prompts a fresh read of the store.
 */
export async function waitForTask(
  deps: { store: Store; endings: TaskEndings },
  taskId: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<TaskRecord> {
  let notify: () => void = () => {};
  const stopWatching = await deps.endings.watch(taskId, () => notify());
  try {
    return await new Promise<TaskRecord>((resolve, reject) => {
      let settled = false;
      let reading = false;
      let rereadRequested = false;
      const finish = (error: Error | null, task?: TaskRecord) => {
        if (settled) return;
        settled = true;
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
      const deadline = setTimeout(
        () =>
          finish(
            new AetherError(
              'ERR_WAIT_TIMEOUT',
              `task ${taskId} did not finish within ${timeoutMs} ms; it goes on running`,
              { details: { taskId } },
            ),
          ),
        timeoutMs,
      );
      // Only an end is worth a read; the poll covers any event that never arrives.
      notify = () => void check();
      const poll = setInterval(() => void check(), POLL_INTERVAL_MS);
      signal?.addEventListener('abort', onAbort, { once: true });
      void check();
    });
  } finally {
    stopWatching();
  }
}
