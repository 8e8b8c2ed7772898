import { z } from 'zod';
import type { ExecutionState } from '../core/execution.js';
import { JOB_STATUSES } from '../core/execution.js';
import { TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES } from '../core/task.js';
import { VM_STATUSES } from '../core/vm.js';
import { VM_EXPIRY_ACTIONS } from '../core/vm-lifetime.js';
import { VM_RESTART_POLICIES } from '../core/vm-restart.js';
import { WORKER_STATUSES } from '../core/worker.js';
import { apiError, driverName, nullableTimestamp, recordId, timestamp } from './fields.js';

/** The records the API answers with: snake_case, ISO timestamps, stable field names. */

const vmToolsSchema = z
  .object({
    requested: z.array(
      z.object({
        name: z.string(),
        version: z.string().nullable().describe('null: any version'),
        required: z.boolean().describe('Asked for in the request (the default set is not required)'),
      }),
    ),
    installed: z.array(
      z.object({
        name: z.string(),
        version: z.string().describe("What the tool's version command printed"),
        origin: z
          .enum(['image', 'debian', 'npm', 'mise'])
          .describe('`image`: the VM had it already; otherwise the source it was installed from'),
      }),
    ),
    missing: z
      .array(z.object({ name: z.string(), version: z.string().nullable(), reason: z.string() }))
      .describe('Default tools the VM could not get (a requested tool fails the create instead)'),
    path_dirs: z.array(z.string()).describe('Guest directories of tools installed at create time, on PATH'),
  })
  .meta({ id: 'VmTools' });

const taskProgressSchema = z
  .object({
    phase: z.string().describe('e.g. `tools`'),
    current: z.number().int().describe('The step under way, 1-based'),
    total: z.number().int(),
    item: z.string().nullable().describe("The step's subject, e.g. a tool name"),
    message: z.string(),
    updated_at: timestamp,
  })
  .meta({ id: 'TaskProgress' });

export const vmSchema = z
  .object({
    id: recordId,
    project: z.string().describe('The project that owns it'),
    name: z.string(),
    driver: driverName,
    status: z.enum(VM_STATUSES),
    status_reason: z
      .string()
      .nullable()
      .describe(
        'Why it reached its status, starting with a code where there is one: `worker_lost`; for a VM found dead, `agent_exited`, `agent_unresponsive`, `sandbox_exited`, `oom_killed` or `vmm_exited`',
      ),
    vcpus: z.number().int(),
    memory_mib: z.number().int(),
    image: z.string().nullable().describe("Guest image (a Docker reference); null = the driver's default"),
    network: z.boolean().describe('Outbound network access; false = loopback only'),
    worker_id: z.string().nullable().describe('The worker that owns it, once created'),
    isolation: z
      .object({
        level: z.string().describe('e.g. `namespaces`, `container`, `microvm-kvm`, `microvm-tcg`'),
        kernel: z.enum(['shared', 'dedicated']),
        summary: z.string(),
        limits: z
          .object({
            enforced: z
              .boolean()
              .describe(
                "True when the VM's vcpus and memory_mib are hard limits (memory without swap: past it a process of the VM is killed, ERR_VM_OUT_OF_MEMORY, and the VM lives on), with the limits below",
              ),
            mechanism: z.string().describe('How they are enforced (`cgroup v1: …`), or why not'),
            pids: z
              .number()
              .int()
              .nullable()
              .describe('Tasks (processes and threads) the VM may have; null = not limited'),
            tmp_mib: z
              .number()
              .int()
              .nullable()
              .describe("Size of the VM's /tmp; null = not limited by the driver"),
            disk_mib: z
              .number()
              .int()
              .nullable()
              .describe("Size of the VM's home or disk; null = not limited by the driver"),
          })
          .nullable()
          .describe('The resource limits the driver holds the VM to; null where the driver does not say'),
      })
      .nullable()
      .describe('What separates the VM from the host, as its driver reported it'),
    tools: vmToolsSchema
      .nullable()
      .describe('Tools asked for and what the VM got; null for VMs made before tools were recorded'),
    metadata: z.record(z.string(), z.unknown()),
    labels: z.record(z.string(), z.string()).describe('Key=value pairs to find it by; `{}` when none'),
    created_at: timestamp,
    updated_at: timestamp,
    started_at: nullableTimestamp,
    stopped_at: nullableTimestamp,
    ttl_seconds: z.number().int().nullable().describe('Lifetime asked for at create, in seconds; null: none'),
    expires_at: nullableTimestamp.describe(
      'When the lifetime runs out (create + ttl, moved by extends); null: never',
    ),
    idle_timeout_seconds: z
      .number()
      .int()
      .nullable()
      .describe('Seconds without a command running after which the VM ends; null: none'),
    idle_expires_at: nullableTimestamp.describe(
      'When the VM ends if no command runs until then (last activity + idle timeout); a running command holds it off. Null: no idle timeout',
    ),
    on_expiry: z
      .enum(VM_EXPIRY_ACTIONS)
      .describe(
        'What the VM becomes when a deadline passes: stopped, deleted, or paused (hibernated where the driver can; resuming it starts a fresh lifetime)',
      ),
    restart_policy: z
      .enum(VM_RESTART_POLICIES)
      .describe(
        'What a death found by the health check leads to: `never` (the VM fails) or `on-failure` (it is restarted, files kept)',
      ),
    restart_max: z.number().int().describe('Restarts `on-failure` allows; 0 with `never`'),
    restarts: z
      .number()
      .int()
      .describe(
        'Restarts after a death so far; never reset, not by a stop and start either. At `restart_max`, the next death fails the VM',
      ),
    hibernated_at: nullableTimestamp.describe(
      "When the paused VM's memory was saved to disk and its VMM ended (it holds no RAM until resumed); null otherwise",
    ),
  })
  .meta({ id: 'Vm', description: 'A VM and what isolates it' });

export const taskSchema = z
  .object({
    id: recordId,
    project: z.string().describe('The project that owns it'),
    type: z.enum(TASK_TYPES),
    status: z.enum(TASK_STATUSES),
    status_reason: z.string().nullable(),
    priority: z.enum(TASK_PRIORITIES),
    payload: z.unknown(),
    result: z
      .unknown()
      .describe(
        'What the task produced once completed; null before. Each key is there in camelCase (`vmId`, `exitCode`) and in snake_case (`vm_id`, `exit_code`); a `vm:execute` result names its VM (`vm_id`). `GET /tasks/{id}` adds what other records hold, as the original system returned it: `stdout` and `stderr` of a `vm:execute` (as stored, see the execution), `name` of the VM a `vm:create` made',
      ),
    error: apiError.nullable(),
    vm_id: z.string().nullable(),
    worker_id: z.string().nullable(),
    max_retries: z.number().int(),
    retry_count: z.number().int(),
    fencing_token: z.number().int().describe('Bumped by every claim of the task: how many attempts took it'),
    timeout_ms: z.number().int(),
    progress: taskProgressSchema
      .nullable()
      .describe('How far a running attempt has come, when it reports it'),
    created_at: timestamp,
    updated_at: timestamp,
    started_at: nullableTimestamp,
    completed_at: nullableTimestamp,
  })
  .meta({ id: 'Task', description: 'A unit of queued work: create, execute, delete or a job' });

/** Every value of `ExecutionState`, in a form a schema can list (checked both ways below). */
export const EXECUTION_OUTCOMES = [
  'pending',
  'running',
  'exited',
  'timed_out',
  'signalled',
  'failed',
  'cancelled',
  'unknown',
  'not_started',
] as const satisfies readonly ExecutionState[];
type MissingOutcome = Exclude<ExecutionState, (typeof EXECUTION_OUTCOMES)[number]>;
const everyOutcomeListed: [MissingOutcome] extends [never] ? true : MissingOutcome = true;
void everyOutcomeListed;

export const executionSchema = z
  .object({
    id: recordId,
    project: z.string().describe('The project that owns it'),
    vm_id: z.string(),
    task_id: z.string().nullable(),
    job_id: z.string().nullable(),
    command: z.string(),
    args: z.array(z.string()),
    env: z.record(z.string(), z.string()),
    cwd: z.string().nullable(),
    outcome: z
      .enum(EXECUTION_OUTCOMES)
      .describe(
        '`signalled`: ended by a signal before its time limit (`signal` says which). `unknown`: its worker died or stopped mid-run; it may have had effects and was not run again. `not_started`: its worker died or stopped before taking it; nothing ran, so it is safe to submit again',
      ),
    exit_code: z.number().int().nullable(),
    stdout: z.string(),
    stderr: z.string(),
    stdout_truncated: z.boolean(),
    stderr_truncated: z.boolean(),
    timed_out: z.boolean(),
    signal: z
      .string()
      .nullable()
      .describe(
        'The signal that ended the command (`SIGTERM`, `SIGKILL`...), null when it exited or still runs',
      ),
    error: apiError.nullable(),
    started_at: nullableTimestamp,
    completed_at: nullableTimestamp,
    duration_ms: z.number().int().nullable(),
    created_at: timestamp,
  })
  .meta({ id: 'Execution', description: 'One command run in a VM, with its (capped) output' });

export const jobSchema = z
  .object({
    id: recordId,
    project: z.string().describe('The project that owns it'),
    name: z.string(),
    vm_id: z.string(),
    task_id: z.string().nullable(),
    status: z.enum(JOB_STATUSES),
    steps: z.array(
      z.object({
        command: z.string(),
        args: z.array(z.string()),
        env: z.record(z.string(), z.string()),
        cwd: z.string().nullable(),
        timeout_ms: z.number().int(),
      }),
    ),
    results: z.array(
      z.object({
        execution_id: z.string(),
        exit_code: z.number().int().nullable(),
        error: apiError.nullable(),
      }),
    ),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Job', description: 'Named steps run in order in one VM, and the result of each step run' });

export const workerSchema = z
  .object({
    id: z.string(),
    host: z.string(),
    status: z.enum(WORKER_STATUSES),
    status_reason: z.string().nullable(),
    drivers: z.array(driverName),
    capacity: z.number().int().describe('Tasks it runs at once'),
    active_tasks: z.number().int(),
    version: z.string(),
    epoch: z.number().int().describe('Bumped on every registration of this id'),
    started_at: timestamp,
    last_heartbeat_at: timestamp,
  })
  .meta({ id: 'Worker', description: 'A worker process of the cluster' });
