import { AetherError } from '../core/errors.js';
import type { EventBus, TaskEvent, Unsubscribe } from '../core/events.js';
import type { ExecutionRecord } from '../core/execution.js';
import type { Store } from '../core/store.js';
import { isTaskTerminal, type TaskRecord } from '../core/task.js';

/** Events may be lost (Redis pub/sub is fire-and-forget): re-read the store this often anyway. */
const POLL_INTERVAL_MS = 1_000;

/** Ends heard lately, kept so a wait that starts just after its task ended needs no read. */
const RECENT_ENDS = 4096;

/** A task at its end, with the execution it ran when the end event carried it. */
export interface TaskEnd {
  task: TaskRecord;
  execution?: ExecutionRecord;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /**
   * The caller recorded the task moments ago, while the subscription to task events may already
   * have been listening: then an end before the wait began was heard, and the store need not be
   * read first (the periodic read still covers a lost event).
   */
  fresh?: boolean;
}

/**
 * One subscription to task events per process, shared by every waiter and kept open: each wait
 * would otherwise SUBSCRIBE and UNSUBSCRIBE on Redis, and an end published before its own
 * subscription took effect would only be seen at the next poll.
 */
export class TaskEndings {
  private readonly watchers = new Map<string, Set<(event: TaskEvent) => void>>();
  private readonly recent = new Map<string, TaskEvent>();
  private subscription: { unsubscribe: Unsubscribe; ready: Promise<void>; isReady: boolean } | null = null;

  constructor(private readonly events: EventBus & { ready?: () => Promise<void> }) {}

  /**
   * Calls `onEnd` whenever an event says `taskId` ended; resolves once events are flowing, with
   * the end already heard (if any) and whether the subscription was listening before this call.
   */
  async watch(
    taskId: string,
    onEnd: (event: TaskEvent) => void,
  ): Promise<{ stop: Unsubscribe; heard: TaskEvent | undefined; wasListening: boolean }> {
    const wasListening = this.subscription?.isReady ?? false;
    if (!this.subscription) {
      const subscription = {
        unsubscribe: this.events.subscribe('task.updated', (event) => this.onEvent(event)),
        ready: (this.events.ready?.() ?? Promise.resolve()).then(() => {
          subscription.isReady = true;
        }),
        isReady: false,
      };
      this.subscription = subscription;
    }
    let set = this.watchers.get(taskId);
    if (!set) {
      set = new Set();
      this.watchers.set(taskId, set);
    }
    set.add(onEnd);
    await this.subscription.ready;
    const stop = () => {
      set.delete(onEnd);
      if (set.size === 0 && this.watchers.get(taskId) === set) this.watchers.delete(taskId);
    };
    return { stop, heard: this.recent.get(taskId), wasListening };
  }

  close(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.watchers.clear();
    this.recent.clear();
  }

  private onEvent(event: TaskEvent): void {
    if (!isTaskTerminal(event.status)) return;
    this.recent.set(event.taskId, event);
    if (this.recent.size > RECENT_ENDS) this.recent.delete(this.recent.keys().next().value!);
    for (const notify of this.watchers.get(event.taskId) ?? []) notify(event);
  }
}

/** The end an event carried, when it carried the terminal record itself (in-process buses). */
function endOf(event: TaskEvent | undefined): TaskEnd | null {
  if (!event?.record || !isTaskTerminal(event.record.status)) return null;
  return event.execution ? { task: event.record, execution: event.execution } : { task: event.record };
}

/**
 * Wait until a task is terminal. Watches first, then reads the store, so an end between the two
 * is never missed; an event that carries the terminal record answers at once, any other only
 * prompts a fresh read of the store.
 */
export async function waitForTask(
  deps: { store: Store; endings: TaskEndings },
  taskId: string,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<TaskEnd> {
  const { signal } = options;
  let notify: (event: TaskEvent) => void = () => {};
  const watched = await deps.endings.watch(taskId, (event) => notify(event));
  try {
    const known = endOf(watched.heard);
    if (known) return known;
    return await new Promise<TaskEnd>((resolve, reject) => {
      let settled = false;
      let reading = false;
      let rereadRequested = false;
      const finish = (error: Error | null, end?: TaskEnd) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearInterval(poll);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(end!);
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
            if (isTaskTerminal(task.status)) return finish(null, { task });
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
      // Only an end is worth a read, and none when the event carries the record; the poll
      // covers any event that never arrives.
      notify = (event) => {
        const end = endOf(event);
        if (end) finish(null, end);
        else void check();
      };
      const poll = setInterval(() => void check(), POLL_INTERVAL_MS);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (watched.heard || !(options.fresh && watched.wasListening)) void check();
    });
  } finally {
    watched.stop();
  }
}
