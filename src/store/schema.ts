/**
 * The store's tables, in Drizzle's SQL-like builder. Migrations under `./migrations` are generated
 * from this file (`npx drizzle-kit generate --config src/store/drizzle.config.ts`) and committed.
 *
 * Table names avoid `job`, `event`, `metrics`, `meta`, `scheduler` and `dedup`: BullMQ's PostgreSQL
 * backend shares the database and finds its own tables through `search_path`.
 *
 * Statuses are `text` with CHECK constraints rather than enums: adding a status later is a one-line
 * constraint swap instead of `ALTER TYPE`, which has transaction restrictions.
 */
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  inet,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { WireError } from '../core/errors.js';
import { JOB_STATUSES, type JobStep, type JobStepResult } from '../core/execution.js';
import { LOG_KINDS, type LogKind } from '../core/logs.js';
import { OUTPUT_STREAMS } from '../core/output.js';
import { SESSION_VIAS } from '../core/session.js';
import { SNAPSHOT_STATUSES } from '../core/snapshot.js';
import { TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES, type TaskProgress } from '../core/task.js';
import type { VmTools } from '../core/tools.js';
import { DRIVER_NAME_PATTERN, type DriverName, type IsolationInfo, VM_STATUSES } from '../core/vm.js';
import type { VmLabels } from '../core/vm-labels.js';
import { VM_EXPIRY_ACTIONS } from '../core/vm-lifetime.js';
import { VM_RESTART_POLICIES } from '../core/vm-restart.js';
import { WORKER_STATUSES } from '../core/worker.js';
import { bytea } from './bytea-column.js';

/** `column IN ('a', 'b')` for a CHECK constraint; the values are our own constants, never input. */
function oneOf(column: SQLWrapper, values: readonly string[]): SQL {
  return sql`${column} IN (${sql.raw(values.map((v) => `'${v}'`).join(', '))})`;
}

/**
 * A driver name's shape for a CHECK constraint (migration 0013). Which drivers exist is the
 * build's list of driver modules, so a new driver needs no migration.
 */
function isDriverName(column: SQLWrapper): SQL {
  return sql`${column} ~ ${sql.raw(`'${DRIVER_NAME_PATTERN.source}'`)}`;
}

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const vms = pgTable(
  'vms',
  {
    id: uuid('id').primaryKey(),
    // The owning project (core/principal.ts); reads of other projects answer 404.
    project: text('project').notNull().default('default'),
    name: text('name').notNull(),
    driver: text('driver').$type<DriverName>().notNull(),
    status: text('status', { enum: VM_STATUSES }).notNull().default('pending'),
    statusReason: text('status_reason'),
    vcpus: integer('vcpus').notNull(),
    memoryMiB: integer('memory_mib').notNull(),
    // Guest image for drivers that boot one (a Docker reference); null = the driver's default.
    image: text('image'),
    // Outbound network access; false = loopback only.
    network: boolean('network').notNull().default(false),
    workerId: text('worker_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    // Key=value pairs to find the VM by (migration 0017, core/vm-labels.ts).
    labels: jsonb('labels').$type<VmLabels>().notNull().default({}),
    isolation: jsonb('isolation').$type<IsolationInfo>(),
    // Tools asked for and what the VM got (migration 0008).
    tools: jsonb('tools').$type<VmTools>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    stoppedAt: timestamp('stopped_at', { withTimezone: true }),
    // Lifetimes (migration 0016, core/vm-lifetime.ts): deadlines at the database's clock.
    ttlSeconds: integer('ttl_seconds'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    idleTimeoutSeconds: integer('idle_timeout_seconds'),
    lastActiveAt: timestamp('last_active_at', { withTimezone: true }),
    onExpiry: text('on_expiry', { enum: VM_EXPIRY_ACTIONS }).notNull().default('stop'),
    // Restart policy (migration 0020, core/vm-restart.ts): `never` comes with a max of 0.
    restartPolicy: text('restart_policy', { enum: VM_RESTART_POLICIES }).notNull().default('never'),
    restartMax: integer('restart_max').notNull().default(0),
    // Restarts done so far; only a health check's claim (claimVmRestart) counts one.
    restarts: integer('restarts').notNull().default(0),
    // Hibernation (migration 0021): when a paused VM's memory went to disk; null when it did not.
    hibernatedAt: timestamp('hibernated_at', { withTimezone: true }),
    // When the expiry loop queued a pause for a running VM (on_expiry = pause): the claim holds
    // off other passes for a while (vm-lifetimes.ts) and ends when the VM resumes.
    expiryClaimedAt: timestamp('expiry_claimed_at', { withTimezone: true }),
  },
  (t) => [
    // A name identifies one live VM of a project; deleted VMs keep their row (history) but free
    // the name. Per project, so a name taken elsewhere tells nothing about other tenants.
    uniqueIndex('vms_project_name_live_key').on(t.project, t.name).where(sql`${t.status} <> 'deleted'`),
    index('vms_project_created_idx').on(t.project, t.createdAt),
    index('vms_status_idx').on(t.status),
    index('vms_worker_idx').on(t.workerId),
    check('vms_status_check', oneOf(t.status, VM_STATUSES)),
    check('vms_driver_check', isDriverName(t.driver)),
    check('vms_on_expiry_check', oneOf(t.onExpiry, VM_EXPIRY_ACTIONS)),
    check('vms_restart_policy_check', oneOf(t.restartPolicy, VM_RESTART_POLICIES)),
    check('vms_restarts_check', sql`${t.restarts} >= 0 AND ${t.restartMax} >= 0`),
    // The expiry loop's scan: only VMs with a lifetime or an idle timeout.
    index('vms_expires_idx')
      .on(t.expiresAt)
      .where(sql`${t.expiresAt} IS NOT NULL OR ${t.idleTimeoutSeconds} IS NOT NULL`),
  ],
);

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey(),
    project: text('project').notNull().default('default'),
    type: text('type', { enum: TASK_TYPES }).notNull(),
    status: text('status', { enum: TASK_STATUSES }).notNull().default('pending'),
    statusReason: text('status_reason'),
    priority: text('priority', { enum: TASK_PRIORITIES }).notNull().default('default'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    result: jsonb('result').$type<unknown>(),
    error: jsonb('error').$type<WireError>(),
    vmId: uuid('vm_id').references(() => vms.id),
    workerId: text('worker_id'),
    maxRetries: integer('max_retries').notNull().default(0),
    retryCount: integer('retry_count').notNull().default(0),
    // Bumped by every claim; a write from an attempt that holds an older token is refused, so a
    // worker that lost its claim (stalled, partitioned) cannot overwrite its successor's result.
    fencingToken: integer('fencing_token').notNull().default(0),
    timeoutMs: integer('timeout_ms').notNull(),
    // How far the running attempt has come (migration 0008).
    progress: jsonb('progress').$type<TaskProgress>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    // The reconciler scans pending/processing tasks oldest first.
    index('tasks_status_created_idx').on(t.status, t.createdAt),
    index('tasks_vm_idx').on(t.vmId),
    check('tasks_status_check', oneOf(t.status, TASK_STATUSES)),
    check('tasks_type_check', oneOf(t.type, TASK_TYPES)),
    check('tasks_priority_check', oneOf(t.priority, TASK_PRIORITIES)),
  ],
);

export const vmJobs = pgTable(
  'vm_jobs',
  {
    id: uuid('id').primaryKey(),
    project: text('project').notNull().default('default'),
    name: text('name').notNull(),
    vmId: uuid('vm_id')
      .notNull()
      .references(() => vms.id),
    taskId: uuid('task_id').references(() => tasks.id),
    status: text('status', { enum: JOB_STATUSES }).notNull().default('pending'),
    steps: jsonb('steps').$type<JobStep[]>().notNull(),
    results: jsonb('results').$type<JobStepResult[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('vm_jobs_vm_idx').on(t.vmId), check('vm_jobs_status_check', oneOf(t.status, JOB_STATUSES))],
);

export const executions = pgTable(
  'executions',
  {
    id: uuid('id').primaryKey(),
    project: text('project').notNull().default('default'),
    vmId: uuid('vm_id')
      .notNull()
      .references(() => vms.id),
    taskId: uuid('task_id').references(() => tasks.id),
    jobId: uuid('job_id').references(() => vmJobs.id),
    command: text('command').notNull(),
    args: jsonb('args').$type<string[]>().notNull().default([]),
    env: jsonb('env').$type<Record<string, string>>().notNull().default({}),
    cwd: text('cwd'),
    exitCode: integer('exit_code'),
    stdout: text('stdout').notNull().default(''),
    stderr: text('stderr').notNull().default(''),
    stdoutTruncated: boolean('stdout_truncated').notNull().default(false),
    stderrTruncated: boolean('stderr_truncated').notNull().default(false),
    timedOut: boolean('timed_out').notNull().default(false),
    signal: text('signal'),
    error: jsonb('error').$type<WireError>(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
    createdAt: createdAt(),
  },
  (t) => [
    // "Executions of this VM, newest first" is the main read path.
    index('executions_vm_created_idx').on(t.vmId, t.createdAt.desc()),
    index('executions_task_idx').on(t.taskId),
    // The overview's "completed in the last hour" (store/sql/activity.ts).
    index('executions_completed_idx').on(t.completedAt),
  ],
);

export const stateChanges = pgTable(
  'state_changes',
  {
    // bigint in mode 'number': pg returns int8 as a string and PGlite as a number; Drizzle's
    // mapping makes both a number (safe up to 2^53).
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    entity: text('entity', { enum: ['vm', 'task', 'job'] }).notNull(),
    entityId: uuid('entity_id').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    reason: text('reason').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('state_changes_entity_idx').on(t.entityId, t.id),
    check('state_changes_entity_check', oneOf(t.entity, ['vm', 'task', 'job'])),
  ],
);

export const workers = pgTable(
  'workers',
  {
    id: text('id').primaryKey(),
    host: text('host').notNull(),
    drivers: jsonb('drivers').$type<DriverName[]>().notNull(),
    capacity: integer('capacity').notNull(),
    version: text('version').notNull(),
    status: text('status', { enum: WORKER_STATUSES }).notNull(),
    statusReason: text('status_reason'),
    epoch: integer('epoch').notNull().default(1),
    activeTasks: integer('active_tasks').notNull().default(0),
    dataUrl: text('data_url'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    // Written with the database's clock, and compared with it: worker clocks may disagree.
    lastHeartbeatAt: timestamp('last_heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('workers_status_heartbeat_idx').on(t.status, t.lastHeartbeatAt),
    check('workers_status_check', oneOf(t.status, WORKER_STATUSES)),
  ],
);

/** API keys: only the SHA-256 of each key is kept; the key itself is shown once, at creation. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    project: text('project').notNull(),
    admin: boolean('admin').notNull().default(false),
    hash: text('hash').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('api_keys_project_idx').on(t.project, t.createdAt)],
);

/**
 * One VM's address and TAP device on its host's bridge. Unique per host by address and by TAP
 * name, so no two VMs on a host share either, whichever worker allocated them; `inet` so the
 * allocator can add to an address in SQL.
 */
export const networkLeases = pgTable(
  'network_leases',
  {
    vmId: uuid('vm_id')
      .primaryKey()
      .references(() => vms.id),
    host: text('host').notNull(),
    workerId: text('worker_id').notNull(),
    address: inet('address').notNull(),
    tapName: text('tap_name').notNull(),
    mac: text('mac').notNull(),
    allocatedAt: timestamp('allocated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('network_leases_host_address_key').on(t.host, t.address),
    uniqueIndex('network_leases_host_tap_key').on(t.host, t.tapName),
    index('network_leases_worker_idx').on(t.workerId),
  ],
);

/**
 * A VM saved at one instant on one worker (core/snapshot.ts). The files live on that worker's
 * host; the row says where, whose they are and whether the save finished.
 */
export const vmSnapshots = pgTable(
  'vm_snapshots',
  {
    id: uuid('id').primaryKey(),
    project: text('project').notNull(),
    sourceVmId: uuid('source_vm_id')
      .notNull()
      .references(() => vms.id),
    driver: text('driver').$type<DriverName>().notNull(),
    workerId: text('worker_id'),
    image: text('image'),
    vcpus: integer('vcpus').notNull(),
    memoryMiB: integer('memory_mib').notNull(),
    statePath: text('state_path'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    status: text('status', { enum: SNAPSHOT_STATUSES }).notNull().default('pending'),
    statusReason: text('status_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('vm_snapshots_project_created_idx').on(t.project, t.createdAt),
    index('vm_snapshots_source_vm_idx').on(t.sourceVmId),
    check('vm_snapshots_status_check', oneOf(t.status, SNAPSHOT_STATUSES)),
    check('vm_snapshots_driver_check', isDriverName(t.driver)),
  ],
);

/**
 * An execution's output in the chunks it was written in (core/output.ts), stored while it runs so
 * a stream can be replayed from any point. Capped like the execution's own stdout/stderr, which
 * are the concatenation of these.
 */
export const executionOutputChunks = pgTable(
  'execution_output_chunks',
  {
    executionId: uuid('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    stream: text('stream', { enum: OUTPUT_STREAMS }).notNull(),
    offset: bigint('offset', { mode: 'number' }).notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [
    // Replay reads one execution's chunks in seq order from a point: the primary key serves it.
    primaryKey({ columns: [t.executionId, t.seq] }),
    check('execution_output_chunks_stream_check', oneOf(t.stream, OUTPUT_STREAMS)),
    check('execution_output_chunks_seq_check', sql`${t.seq} >= 1`),
  ],
);

/**
 * The platform's own log lines when no Loki is configured (`logging.provider: local`): written in
 * batches, pruned to a bound of rows and age, read by `POST /logs/query` and the log tail. Ids
 * are not uuids: lines carry whatever a log call bound, and a bad id must not lose the line.
 * `level` is pino's number, so "at least warn" is one comparison. `kind` keeps command output
 * and the platform's own lines under caps of their own; (kind, id) finds each kind's cut.
 */
export const logEntries = pgTable(
  'log_entries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    time: timestamp('time', { withTimezone: true }).notNull(),
    level: integer('level').notNull(),
    service: text('service').notNull(),
    project: text('project'),
    worker: text('worker'),
    vmId: text('vm_id'),
    taskId: text('task_id'),
    executionId: text('execution_id'),
    message: text('message').notNull(),
    fields: jsonb('fields').$type<Record<string, unknown>>().notNull().default({}),
    kind: text('kind').$type<LogKind>().notNull().default('platform'),
  },
  (t) => [
    index('log_entries_time_idx').on(t.time),
    index('log_entries_project_time_idx').on(t.project, t.time),
    index('log_entries_vm_time_idx').on(t.vmId, t.time),
    index('log_entries_task_time_idx').on(t.taskId, t.time),
    index('log_entries_execution_time_idx').on(t.executionId, t.time),
    index('log_entries_kind_id_idx').on(t.kind, t.id),
    check('log_entries_kind_check', oneOf(t.kind, LOG_KINDS)),
  ],
);

/**
 * Webhook deliveries already taken, per integration (GitHub's `X-GitHub-Delivery`, a Slack
 * request's signature): a replay is refused on every gateway of a cluster until `expires_at`.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    integration: text('integration').notNull(),
    deliveryId: text('delivery_id').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.integration, t.deliveryId] }),
    index('webhook_deliveries_expires_at_idx').on(t.expiresAt),
  ],
);

/**
 * Preview URLs (core/preview.ts): only the SHA-256 of each token is kept, unique, and a preview
 * is found by it; the token is shown once, when the preview is made.
 */
export const vmPreviews = pgTable(
  'vm_previews',
  {
    id: text('id').primaryKey(),
    vmId: uuid('vm_id')
      .notNull()
      .references(() => vms.id, { onDelete: 'cascade' }),
    project: text('project').notNull(),
    port: integer('port').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdBy: text('created_by'),
  },
  (t) => [
    uniqueIndex('vm_previews_token_hash_key').on(t.tokenHash),
    index('vm_previews_vm_idx').on(t.vmId, t.createdAt),
    check('vm_previews_port_check', sql`${t.port} BETWEEN 1 AND 65535`),
  ],
);

/**
 * Browser sessions of the dashboard (core/session.ts, migration 0024): only the SHA-256 of each
 * session secret is kept, unique, and a session is found by it. A session made with an API key
 * names it, so revoking the key ends the session.
 */
export const browserSessions = pgTable(
  'browser_sessions',
  {
    id: text('id').primaryKey(),
    secretHash: text('secret_hash').notNull(),
    project: text('project').notNull(),
    admin: boolean('admin').notNull(),
    via: text('via', { enum: SESSION_VIAS }).notNull(),
    principalId: text('principal_id').notNull(),
    keyId: text('key_id').references(() => apiKeys.id, { onDelete: 'cascade' }),
    subject: text('subject').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('browser_sessions_secret_hash_key').on(t.secretHash),
    index('browser_sessions_key_idx').on(t.keyId),
    check('browser_sessions_via_check', oneOf(t.via, SESSION_VIAS)),
  ],
);

export * from './schema-outbound-webhooks.js';
