/**
 * After the faults: wait for every op's task to end (bounded), then write the final state to the
 * history — each op task (GET /tasks/:id), each VM's executions (GET /vms/:id/executions), the
 * tasks' state-change log (read from the private PostgreSQL: the API does not expose it) and each
 * VM's effects file (read through the API by an execution that prints it).
 */

import type { Execution, Task } from '@aetherium/sdk';
import { AetherApiError, type AetherClient } from '@aetherium/sdk';
import type pg from 'pg';
import { EFFECTS_FILE, type HistoryEvent, type HistoryWriter, opOfExecution } from './history.js';
import { sleep } from './processes.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const EXECUTIONS_LIMIT = 1000;
const EFFECTS_WAIT_MS = 15_000;

/** Runs `fn` over `items` with at most `width` at a time. */
async function pool<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Op task ids the history knows from answers, plus those found among the VMs' executions. */
async function knownOpTasks(
  client: AetherClient,
  events: readonly HistoryEvent[],
  vmIds: readonly string[],
): Promise<{
  taskIds: Set<string>;
  executions: Map<string, Execution[]>;
  truncated: string[];
  failed: string[];
}> {
  const taskIds = new Set<string>();
  for (const e of events) {
    if ((e.type === 'ok' || e.type === 'fail' || e.type === 'info') && e.taskId) taskIds.add(e.taskId);
  }
  const executions = new Map<string, Execution[]>();
  const truncated: string[] = [];
  const failed: string[] = [];
  for (const vmId of vmIds) {
    const list = await client.listExecutions(vmId, EXECUTIONS_LIMIT).catch((error: Error) => {
      failed.push(`${vmId}: ${error.message}`);
      return [];
    });
    if (list.length >= EXECUTIONS_LIMIT) truncated.push(vmId);
    executions.set(vmId, list);
    for (const x of list) if (x.task_id && opOfExecution(x.command, x.args)) taskIds.add(x.task_id);
  }
  return { taskIds, executions, truncated, failed };
}

async function readTask(client: AetherClient, id: string): Promise<Task | null> {
  try {
    return await client.getTask(id);
  } catch (error) {
    if (error instanceof AetherApiError && error.status === 404) return null;
    throw error;
  }
}

/**
 * Waits until every op task is terminal, or `timeoutMs` passes. Returns the ids still open.
 */
export async function drain(
  client: AetherClient,
  events: readonly HistoryEvent[],
  vmIds: readonly string[],
  timeoutMs: number,
): Promise<{ open: string[]; waitedMs: number }> {
  const started = Date.now();
  const { taskIds } = await knownOpTasks(client, events, vmIds);
  let open = [...taskIds];
  for (;;) {
    const statuses = await pool(
      open,
      8,
      async (id) => (await readTask(client, id).catch(() => null))?.status,
    );
    open = open.filter((_, i) => !TERMINAL.has(statuses[i] ?? ''));
    if (open.length === 0 || Date.now() - started > timeoutMs)
      return { open, waitedMs: Date.now() - started };
    await sleep(500);
  }
}

/** Writes final-task, final-execution, state-change and effects events for this run. */
export async function recordFinalState(
  client: AetherClient,
  db: pg.Pool,
  history: HistoryWriter,
  events: readonly HistoryEvent[],
  vmIds: readonly string[],
): Promise<void> {
  for (const vmId of vmIds) {
    const vm = await client.getVm(vmId).catch(() => null);
    history.append({
      type: 'final-vm',
      vmId,
      name: vm?.name ?? '?',
      status: vm?.status ?? null,
      statusReason: vm?.status_reason ?? null,
      workerId: vm?.worker_id ?? null,
    });
  }
  const { taskIds, executions, truncated, failed } = await knownOpTasks(client, events, vmIds);
  if (failed.length > 0) {
    history.append({
      type: 'note',
      message: 'could not list the executions of some VMs',
      detail: { failed },
    });
  }
  if (truncated.length > 0) {
    history.append({
      type: 'note',
      message: `executions listing hit its limit of ${EXECUTIONS_LIMIT} for some VMs`,
      detail: { vmIds: truncated },
    });
  }
  for (const [vmId, list] of executions) {
    for (const x of list) {
      history.append({
        type: 'final-execution',
        executionId: x.id,
        taskId: x.task_id,
        vmId,
        op: opOfExecution(x.command, x.args),
        exitCode: x.exit_code,
        errorCode: x.error?.code ?? null,
        completed: x.completed_at !== null,
      });
    }
  }

  const ids = [...taskIds];
  const tasks = await pool(ids, 8, (id) =>
    readTask(client, id).then(
      (task) => ({ id, task, error: null as string | null }),
      (error: Error) => ({ id, task: null, error: error.message }),
    ),
  );
  for (const { id, task, error } of tasks) {
    const fencingToken: unknown = (task as { fencing_token?: unknown } | null)?.fencing_token;
    history.append({
      type: 'final-task',
      taskId: id,
      found: task !== null,
      taskType: task?.type ?? null,
      status: task?.status ?? null,
      statusReason: task?.status_reason ?? null,
      errorCode: task?.error?.code ?? null,
      workerId: task?.worker_id ?? null,
      vmId: task?.vm_id ?? null,
      retryCount: task?.retry_count ?? null,
      claims: typeof fencingToken === 'number' ? fencingToken : null,
      ...(error ? { readError: error } : {}),
    });
  }

  try {
    const { rows } = await db.query<{
      entity_id: string;
      from_status: string | null;
      to_status: string;
      reason: string;
      at: Date;
    }>(
      `SELECT entity_id, from_status, to_status, reason, at FROM state_changes
        WHERE entity = 'task' AND entity_id = ANY($1::uuid[]) ORDER BY id`,
      [ids],
    );
    for (const row of rows) {
      history.append({
        type: 'state-change',
        entityId: row.entity_id,
        from: row.from_status,
        to: row.to_status,
        reason: row.reason,
        at: row.at.toISOString(),
      });
    }
  } catch (error) {
    history.append({ type: 'note', message: `could not read state_changes: ${(error as Error).message}` });
  }

  // Each VM's effects file, read by one more execution per VM (in parallel: a VM whose worker is
  // stuck must not hold up the others).
  await Promise.all(
    vmIds.map(async (vmId) => {
      try {
        const res = await client.request<{ execution?: Execution }>('POST', `/vms/${vmId}/execute`, {
          body: { command: 'sh', args: ['-c', `cat ${EFFECTS_FILE} 2>/dev/null || true`] },
          query: { wait: true, wait_timeout_ms: EFFECTS_WAIT_MS },
        });
        if (res.execution?.stdout_truncated) throw new Error('effects output was truncated');
        const stdout = res.execution?.stdout ?? '';
        history.append({
          type: 'effects',
          vmId,
          ops: stdout.split('\n').filter((line) => line.trim() !== ''),
        });
      } catch (error) {
        history.append({ type: 'effects', vmId, ops: null, error: (error as Error).message });
      }
    }),
  );
}
