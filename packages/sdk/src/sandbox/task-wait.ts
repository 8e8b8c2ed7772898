/**
 * Writes (create, stop, snapshot…) are tasks. They are sent with `?wait=true`; when the gateway's
 * wait ends first (504 ERR_WAIT_TIMEOUT, the task goes on), the task is polled until it ends.
 */
import type { Task } from '../api-types.js';
import type { AetherClient } from '../client/client.js';
import { AetherApiError, apiErrorOf } from '../errors.js';

const FINAL = new Set<Task['status']>(['completed', 'failed', 'cancelled']);

/**
 * Sends `write` waiting for its task; resolves with the task once it completed (its payload names
 * what it made when the answer never came), throws its error if it did not.
 */
export async function settled<T extends { task_id: string }>(
  client: AetherClient,
  write: () => Promise<T>,
  signal?: AbortSignal,
): Promise<Task> {
  let taskId: string;
  try {
    const answer = await write();
    taskId = answer.task_id;
    const task = (answer as { task?: Task }).task;
    if (task && FINAL.has(task.status)) return outcomeOf(task);
  } catch (error) {
    const pending = (error as AetherApiError).code === 'ERR_WAIT_TIMEOUT' ? taskIdOf(error) : null;
    if (!pending) throw error;
    taskId = pending;
  }
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    const task = await client.getTask(taskId);
    if (FINAL.has(task.status)) return outcomeOf(task);
    await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 1000)));
  }
}

function outcomeOf(task: Task): Task {
  if (task.status === 'completed') return task;
  const error = task.error;
  throw apiErrorOf(
    0,
    error?.code ?? 'ERR_TASK_CANCELLED',
    error?.message ?? `the ${task.type} task was ${task.status}`,
    error ? { error } : undefined,
  );
}

function taskIdOf(error: unknown): string | null {
  if (!(error instanceof AetherApiError)) return null;
  const body = error.body as
    | { task_id?: unknown; error?: { details?: { task_id?: unknown; taskId?: unknown } } }
    | undefined;
  const id = body?.task_id ?? body?.error?.details?.task_id ?? body?.error?.details?.taskId;
  return typeof id === 'string' ? id : null;
}
