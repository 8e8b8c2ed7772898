/**
 * Row → record mapping. Drizzle already turns timestamps into Dates, jsonb into values and int8
 * into numbers for both pg and PGlite; these functions fix the record's exact shape (key order
 * included) so both backends return identical objects and no column leaks into the domain type.
 */
import type { ApiKeyRecord, StoredApiKey } from '../core/api-key.js';
import type { ExecutionRecord, JobRecord } from '../core/execution.js';
import type { StateChange } from '../core/store.js';
import type { TaskPayloads, TaskRecord, TaskResults, TaskType } from '../core/task.js';
import type { VmRecord } from '../core/vm.js';
import type { WorkerRecord } from '../core/worker.js';
import type { apiKeys, executions, stateChanges, tasks, vmJobs, vms, workers } from './schema.js';

export type VmRow = typeof vms.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type ExecutionRow = typeof executions.$inferSelect;
export type JobRow = typeof vmJobs.$inferSelect;
export type StateChangeRow = typeof stateChanges.$inferSelect;
export type WorkerRow = typeof workers.$inferSelect;

export function toVmRecord(row: VmRow): VmRecord {
  return {
    id: row.id,
    project: row.project,
    name: row.name,
    driver: row.driver,
    status: row.status,
    statusReason: row.statusReason,
    vcpus: row.vcpus,
    memoryMiB: row.memoryMiB,
    image: row.image,
    network: row.network,
    workerId: row.workerId,
    metadata: row.metadata,
    labels: row.labels,
    isolation: row.isolation,
    tools: row.tools ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    startedAt: row.startedAt,
    stoppedAt: row.stoppedAt,
    lifetime: {
      ttlSeconds: row.ttlSeconds,
      expiresAt: row.expiresAt,
      idleTimeoutSeconds: row.idleTimeoutSeconds,
      lastActiveAt: row.lastActiveAt,
      onExpiry: row.onExpiry,
    },
    restart: { policy: row.restartPolicy, max: row.restartMax, count: row.restarts },
    hibernatedAt: row.hibernatedAt,
  };
}

export function toTaskRecord(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    project: row.project,
    type: row.type,
    status: row.status,
    statusReason: row.statusReason,
    priority: row.priority,
    // jsonb is untyped in the database; the task type written with the row decides its shape.
    payload: row.payload as TaskPayloads[TaskType],
    result: (row.result ?? null) as TaskResults[TaskType] | null,
    error: row.error,
    vmId: row.vmId,
    workerId: row.workerId,
    maxRetries: row.maxRetries,
    retryCount: row.retryCount,
    fencingToken: row.fencingToken,
    timeoutMs: row.timeoutMs,
    progress: row.progress ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
  };
}

export function toExecutionRecord(row: ExecutionRow): ExecutionRecord {
  return {
    id: row.id,
    project: row.project,
    vmId: row.vmId,
    taskId: row.taskId,
    jobId: row.jobId,
    command: row.command,
    args: row.args,
    env: row.env,
    cwd: row.cwd,
    exitCode: row.exitCode,
    stdout: row.stdout,
    stderr: row.stderr,
    stdoutTruncated: row.stdoutTruncated,
    stderrTruncated: row.stderrTruncated,
    timedOut: row.timedOut,
    signal: row.signal,
    error: row.error,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    durationMs: row.durationMs,
    createdAt: row.createdAt,
  };
}

export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    project: row.project,
    name: row.name,
    vmId: row.vmId,
    taskId: row.taskId,
    status: row.status,
    steps: row.steps,
    results: row.results,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toStateChange(row: StateChangeRow): StateChange {
  return {
    entity: row.entity,
    entityId: row.entityId,
    from: row.fromStatus,
    to: row.toStatus,
    reason: row.reason,
    at: row.at,
  };
}

export function toWorkerRecord(row: WorkerRow): WorkerRecord {
  return {
    id: row.id,
    host: row.host,
    drivers: row.drivers,
    capacity: row.capacity,
    version: row.version,
    status: row.status,
    statusReason: row.statusReason,
    epoch: row.epoch,
    activeTasks: row.activeTasks,
    dataUrl: row.dataUrl,
    startedAt: row.startedAt,
    lastHeartbeatAt: row.lastHeartbeatAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export function toApiKeyRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    project: row.project,
    admin: row.admin,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
  };
}

export function toStoredApiKey(row: ApiKeyRow): StoredApiKey {
  return { ...toApiKeyRecord(row), hash: row.hash };
}
