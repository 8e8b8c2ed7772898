import type { FastifyReply } from 'fastify';
import { AetherError, ERROR_CODES, isErrorCode } from '../core/errors.js';
import { isTaskTerminal, type TaskRecord } from '../core/task.js';
import type { TaskEnd } from '../service/wait.js';
import type { GatewayDeps, GatewaySettings } from './context.js';
import { taskJson } from './serialize.js';

/** The request's own abort, or the gateway closing, whichever comes first. */
export function withClosing(deps: GatewayDeps, signal: AbortSignal): AbortSignal {
  return deps.closing ? AbortSignal.any([signal, deps.closing]) : signal;
}

export function shuttingDown(taskId: string): AetherError {
  return new AetherError(
    'ERR_SHUTTING_DOWN',
    `the gateway is shutting down; task ${taskId} goes on: read it at GET /api/v1/tasks/${taskId}`,
    { details: { taskId } },
  );
}

export interface WriteQuery {
  wait: boolean;
  wait_timeout_ms?: number | undefined;
}

/**
 * Answer a write: `202 {task_id, status}` at once, or with `?wait=true` block until the task
 * ends and answer with its outcome — 200 when it completed, the error's own status when it failed.
 * `describe` adds what the caller wants to see (the VM, the execution) from the latest state.
 */
export async function replyToWrite(
  deps: GatewayDeps,
  settings: GatewaySettings,
  reply: FastifyReply,
  task: TaskRecord,
  query: WriteQuery,
  describe: (task: TaskRecord, end?: TaskEnd) => Promise<Record<string, unknown>>,
): Promise<FastifyReply> {
  if (!query.wait) {
    return reply.status(202).send({ task_id: task.id, status: task.status, ...(await describe(task)) });
  }
  const abort = new AbortController();
  reply.raw.once('close', () => abort.abort());
  const end = await deps.services.tasks
    .waitForEnd(task.id, query.wait_timeout_ms ?? settings.maxWaitMs, {
      signal: withClosing(deps, abort.signal),
      // This request recorded the task just now.
      fresh: true,
    })
    .catch(async (error: unknown): Promise<TaskEnd> => {
      if (!deps.closing?.aborted) throw error;
      // The answer is what the store says now: a task that ended meanwhile is answered as such.
      const now = await deps.services.tasks.current(task).catch(() => task);
      if (isTaskTerminal(now.status)) return { task: now };
      throw shuttingDown(task.id);
    });
  const done = end.task;
  const payload = {
    task_id: done.id,
    status: done.status,
    task: taskJson(done),
    ...(await describe(done, end)),
  };
  if (done.status === 'completed') return reply.status(200).send(payload);
  const code = done.error && isErrorCode(done.error.code) ? done.error.code : 'ERR_INTERNAL';
  const status = done.status === 'cancelled' ? 409 : ERROR_CODES[code].status;
  return reply.status(status).send({
    ...payload,
    error: done.error ?? { code, message: `task ${done.status}`, retryable: false },
  });
}
