import type { Execution, Job, Task, Vm, Worker } from '../api/types.js';
import { type ExecutionRecord, executionState, type JobRecord } from '../core/execution.js';
import type { TaskRecord } from '../core/task.js';
import type { VmRecord } from '../core/vm.js';
import { idleExpiresAt } from '../core/vm-lifetime.js';
import type { WorkerRecord } from '../core/worker.js';
import { taskResultJson } from './serialize-task-result.js';

/** Records as the API shows them (the shapes are src/api/records.ts): snake_case, ISO timestamps. */

function iso(date: Date): string;
function iso(date: Date | null): string | null;
function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

/** What isolates a VM, limits included, in the API's spelling. */
function isolationJson(isolation: NonNullable<VmRecord['isolation']>): NonNullable<Vm['isolation']> {
  const { level, kernel, summary, limits } = isolation;
  return {
    level,
    kernel,
    summary,
    limits: limits
      ? {
          enforced: limits.enforced,
          mechanism: limits.mechanism,
          pids: limits.pids,
          tmp_mib: limits.tmpMiB,
          disk_mib: limits.diskMiB,
        }
      : null,
  };
}

export function vmJson(vm: VmRecord): Vm {
  return {
    id: vm.id,
    project: vm.project,
    name: vm.name,
    driver: vm.driver,
    status: vm.status,
    status_reason: vm.statusReason,
    vcpus: vm.vcpus,
    memory_mib: vm.memoryMiB,
    image: vm.image,
    network: vm.network,
    worker_id: vm.workerId,
    isolation: vm.isolation && isolationJson(vm.isolation),
    tools: vm.tools && {
      requested: vm.tools.requested,
      installed: vm.tools.installed,
      missing: vm.tools.missing,
      path_dirs: vm.tools.pathDirs,
    },
    metadata: vm.metadata,
    labels: { ...vm.labels },
    created_at: iso(vm.createdAt),
    updated_at: iso(vm.updatedAt),
    started_at: iso(vm.startedAt),
    stopped_at: iso(vm.stoppedAt),
    ttl_seconds: vm.lifetime.ttlSeconds,
    expires_at: iso(vm.lifetime.expiresAt),
    idle_timeout_seconds: vm.lifetime.idleTimeoutSeconds,
    idle_expires_at: iso(idleExpiresAt(vm)),
    on_expiry: vm.lifetime.onExpiry,
    restart_policy: vm.restart.policy,
    restart_max: vm.restart.max,
    restarts: vm.restart.count,
    hibernated_at: iso(vm.hibernatedAt),
  };
}

/** `resultDetails`: fields the result gains from other records (serialize-task-result.ts). */
export function taskJson(task: TaskRecord, resultDetails?: Record<string, unknown>): Task {
  return {
    id: task.id,
    project: task.project,
    type: task.type,
    status: task.status,
    status_reason: task.statusReason,
    priority: task.priority,
    payload: task.payload,
    result: taskResultJson(task, resultDetails),
    error: task.error,
    vm_id: task.vmId,
    worker_id: task.workerId,
    max_retries: task.maxRetries,
    retry_count: task.retryCount,
    fencing_token: task.fencingToken,
    timeout_ms: task.timeoutMs,
    progress: task.progress && {
      phase: task.progress.phase,
      current: task.progress.current,
      total: task.progress.total,
      item: task.progress.item,
      message: task.progress.message,
      updated_at: task.progress.updatedAt,
    },
    created_at: iso(task.createdAt),
    updated_at: iso(task.updatedAt),
    started_at: iso(task.startedAt),
    completed_at: iso(task.completedAt),
  };
}

export function executionJson(execution: ExecutionRecord): Execution {
  return {
    id: execution.id,
    project: execution.project,
    vm_id: execution.vmId,
    task_id: execution.taskId,
    job_id: execution.jobId,
    command: execution.command,
    args: execution.args,
    env: execution.env,
    cwd: execution.cwd,
    outcome: executionState(execution),
    exit_code: execution.exitCode,
    stdout: execution.stdout,
    stderr: execution.stderr,
    stdout_truncated: execution.stdoutTruncated,
    stderr_truncated: execution.stderrTruncated,
    timed_out: execution.timedOut,
    signal: execution.signal,
    error: execution.error,
    started_at: iso(execution.startedAt),
    completed_at: iso(execution.completedAt),
    duration_ms: execution.durationMs,
    created_at: iso(execution.createdAt),
  };
}

export function jobJson(job: JobRecord): Job {
  return {
    id: job.id,
    project: job.project,
    name: job.name,
    vm_id: job.vmId,
    task_id: job.taskId,
    status: job.status,
    steps: job.steps.map((step) => ({
      command: step.command,
      args: step.args,
      env: step.env,
      cwd: step.cwd,
      timeout_ms: step.timeoutMs,
    })),
    results: job.results.map((result) => ({
      execution_id: result.executionId,
      exit_code: result.exitCode,
      error: result.error,
    })),
    created_at: iso(job.createdAt),
    updated_at: iso(job.updatedAt),
  };
}

export function workerJson(worker: WorkerRecord): Worker {
  return {
    id: worker.id,
    host: worker.host,
    status: worker.status,
    status_reason: worker.statusReason,
    drivers: worker.drivers,
    capacity: worker.capacity,
    active_tasks: worker.activeTasks,
    version: worker.version,
    epoch: worker.epoch,
    started_at: iso(worker.startedAt),
    last_heartbeat_at: iso(worker.lastHeartbeatAt),
  };
}
