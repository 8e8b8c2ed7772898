import type { Access } from '../core/principal.js';
import type { TaskRecord, TaskStatus, TaskType } from '../core/task.js';
import { listScope } from './list-scope.js';
import type { ServiceDeps, ServiceSettings } from './service-context.js';
import { visibleOr } from './visibility.js';
import { type TaskEnd, TaskEndings, type WaitOptions, waitForTask } from './wait.js';

/** Tasks, whichever service made them: read one, or wait for it to end. */
export class TaskService {
  private readonly endings: TaskEndings;

  constructor(
    private readonly deps: Pick<ServiceDeps, 'store' | 'events'>,
    private readonly settings: Pick<ServiceSettings, 'maxWaitMs'>,
  ) {
    this.endings = new TaskEndings(deps.events);
  }

  async get(access: Access, id: string): Promise<TaskRecord> {
    return visibleOr(
      access,
      await this.deps.store.getTask(id),
      'ERR_TASK_NOT_FOUND',
      `no task with id ${id}`,
    );
  }

  /** The caller's tasks (every project's for an `all` access), newest first. */
  async list(
    access: Access,
    filter: { status?: readonly TaskStatus[]; types?: readonly TaskType[]; vm?: string; limit: number },
  ): Promise<TaskRecord[]> {
    const scope = await listScope(this.deps.store, access, filter.vm);
    return this.deps.store.listTasks({
      ...scope,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.types ? { types: filter.types } : {}),
      limit: filter.limit,
    });
  }

  /** The task as the store has it now, for a caller that already holds it (it made the task). */
  async current(task: TaskRecord): Promise<TaskRecord> {
    return (await this.deps.store.getTask(task.id)) ?? task;
  }

  /** Resolves when the task is terminal; ERR_WAIT_TIMEOUT (the task goes on) after `timeoutMs`. */
  async wait(id: string, timeoutMs: number, signal?: AbortSignal): Promise<TaskRecord> {
    return (await this.waitForEnd(id, timeoutMs, signal ? { signal } : {})).task;
  }

  /** Like `wait`, with the execution the task completed with when the end event carried it. */
  waitForEnd(id: string, timeoutMs: number, options: WaitOptions = {}): Promise<TaskEnd> {
    return waitForTask(
      { store: this.deps.store, endings: this.endings },
      id,
      Math.min(timeoutMs, this.settings.maxWaitMs),
      options,
    );
  }

  /** Drops the event subscription waits share (before the event bus closes). */
  close(): void {
    this.endings.close();
  }
}
