/** The API's wire shapes as the client sees them (snake_case, ISO timestamps). */

export interface ApiErrorBody {
  code: string;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

export interface Vm {
  id: string;
  name: string;
  driver: string;
  status: string;
  status_reason: string | null;
  vcpus: number;
  memory_mib: number;
  /** Guest image (a Docker reference); null = the driver's default. */
  image: string | null;
  /** Outbound network access; false = loopback only. */
  network: boolean;
  worker_id: string | null;
  isolation: { level: string; kernel: string; summary: string } | null;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  stopped_at: string | null;
}

export interface Task {
  id: string;
  type: string;
  status: string;
  status_reason: string | null;
  priority: string;
  payload: unknown;
  result: unknown;
  error: ApiErrorBody | null;
  vm_id: string | null;
  worker_id: string | null;
  max_retries: number;
  retry_count: number;
  /** Bumped by every claim of the task; shows how many attempts took it. */
  fencing_token: number;
  timeout_ms: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export interface Execution {
  id: string;
  vm_id: string;
  task_id: string | null;
  job_id: string | null;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  /** `unknown`: its worker died or stopped mid-run; it may have had effects and was not re-run. */
  outcome: 'pending' | 'running' | 'exited' | 'timed_out' | 'failed' | 'cancelled' | 'unknown';
  exit_code: number | null;
  stdout: string;
  stderr: string;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  timed_out: boolean;
  error: ApiErrorBody | null;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
  created_at: string;
}

export interface Job {
  id: string;
  name: string;
  vm_id: string;
  task_id: string | null;
  status: string;
  steps: {
    command: string;
    args: string[];
    env: Record<string, string>;
    cwd: string | null;
    timeout_ms: number;
  }[];
  results: { execution_id: string; exit_code: number | null; error: ApiErrorBody | null }[];
  created_at: string;
  updated_at: string;
}

export interface WriteAccepted {
  task_id: string;
  status: string;
}

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  components: Record<string, { ok: boolean; message: string; latency_ms?: number }>;
}

export interface CreateVmRequest {
  name: string;
  driver?: string;
  vcpus?: number;
  memory_mib?: number;
  /** Guest image, a Docker reference such as `python:3.12-slim`; docker or microVM drivers only. */
  image?: string;
  /** Outbound network access (default false); docker or microVM drivers only. */
  network?: boolean;
  metadata?: Record<string, unknown>;
  priority?: string;
  timeout_ms?: number;
}

export interface ExecuteRequest {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
  timeout_ms?: number;
  /** Allow running it again if its worker dies mid-run. */
  retry_safe?: boolean;
  priority?: string;
}

export type StreamLine =
  | { type: 'task'; task_id: string; execution_id: string }
  | { type: 'stdout' | 'stderr'; data: string }
  | { type: 'exit'; exit_code: number | null; timed_out: boolean; execution: Execution }
  | { type: 'error'; error: ApiErrorBody };

export interface WorkerInfo {
  id: string;
  host: string;
  status: 'active' | 'draining' | 'stopped' | 'dead';
  status_reason: string | null;
  drivers: string[];
  capacity: number;
  active_tasks: number;
  version: string;
  epoch: number;
  started_at: string;
  last_heartbeat_at: string;
}
