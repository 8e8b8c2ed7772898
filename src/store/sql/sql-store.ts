/**
 * The one Store implementation, over any Drizzle Postgres database. The backends differ only in
 * how they connect, probe and close, which they pass in; every query and rule lives here once.
 */
import { sql } from 'drizzle-orm';
import { AetherError } from '../../core/errors.js';
import type { Store } from '../../core/store.js';
import { guard } from '../store-errors.js';
import * as activity from './activity.js';
import * as apiKeys from './api-keys.js';
import type { Db } from './db.js';
import * as executionOutput from './execution-output.js';
import * as executionQueries from './execution-queries.js';
import * as executions from './executions.js';
import * as jobs from './jobs.js';
import * as logs from './logs.js';
import * as networkLeases from './network-leases.js';
import * as outboundWebhooks from './outbound-webhooks.js';
import * as previews from './previews.js';
import * as sessions from './sessions.js';
import * as snapshots from './snapshots.js';
import * as stateChanges from './state-changes.js';
import * as taskAttempts from './task-attempts.js';
import * as tasks from './tasks.js';
import * as vmLifetimes from './vm-lifetimes.js';
import * as vmRestarts from './vm-restarts.js';
import * as vms from './vms.js';
import * as webhookDeliveries from './webhook-deliveries.js';
import * as workers from './workers.js';

export interface SqlStoreOptions {
  kind: Store['kind'];
  db: Db;
  /** Releases the connection(s) the store owns; a caller-owned pool or PGlite stays open. */
  close(): Promise<void>;
}

type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? T[K] : never };

/**
 * Every method's failure leaves as an AetherError (ERR_STORE_UNAVAILABLE, ERR_VM_NAME_TAKEN, ...),
 * and after `close()` every call fails the same way on both backends (a caller-owned PGlite would
 * otherwise keep answering).
 */
function guarded<T extends AsyncMethods<T>>(methods: T, isClosed: () => boolean): T {
  const out = {} as Record<keyof T, unknown>;
  for (const key of Object.keys(methods) as (keyof T)[]) {
    const fn = methods[key] as (...args: never[]) => Promise<unknown>;
    out[key] = (...args: never[]) =>
      isClosed()
        ? Promise.reject(new AetherError('ERR_STORE_UNAVAILABLE', 'store is closed'))
        : guard(() => fn(...args));
  }
  return out as T;
}

export function createSqlStore(options: SqlStoreOptions): Store {
  const { db } = options;
  let closed: Promise<void> | undefined;
  const methods = guarded(
    {
      insertVm: (vm, opts) => vms.insertVm(db, vm, opts),
      getVm: (id) => vms.getVm(db, id),
      findVm: (idOrName, project) => vms.findVm(db, idOrName, project),
      listVms: (filter) => vms.listVms(db, filter),
      countVms: (filter) => vms.countVms(db, filter),
      transitionVm: (id, change, patch) => vms.transitionVm(db, id, change, patch),
      updateVm: (id, patch) => vms.updateVm(db, id, patch),
      listExpiredVms: (limit) => vmLifetimes.listExpiredVms(db, limit),
      claimVmExpiry: (id, kind, reason) => vmLifetimes.claimVmExpiry(db, id, kind, reason),
      recordVmActivity: (id) => vmLifetimes.recordVmActivity(db, id),
      extendVmLifetime: (id, seconds, statuses) => vmLifetimes.extendVmLifetime(db, id, seconds, statuses),
      claimVmRestart: (id, seen, reason) => vmRestarts.claimVmRestart(db, id, seen, reason),

      insertTask: (task, execution) => tasks.insertTask(db, task, execution),
      setTaskProgress: (id, fencingToken, progress) => tasks.setTaskProgress(db, id, fencingToken, progress),
      getTask: (id) => tasks.getTask(db, id),
      listTasks: (filter) => tasks.listTasks(db, filter),
      transitionTask: (id, change, patch) => tasks.transitionTask(db, id, change, patch),
      claimTask: (id, claim) => taskAttempts.claimTask(db, id, claim),
      completeTaskWithExecution: (taskId, completion, executionId, outcome) =>
        taskAttempts.completeTaskWithExecution(db, taskId, completion, executionId, outcome),

      insertExecution: (execution) => executions.insertExecution(db, execution),
      getExecution: (id) => executions.getExecution(db, id),
      listExecutions: (vmId, opts) => executions.listExecutions(db, vmId, opts),
      queryExecutions: (filter) => executionQueries.queryExecutions(db, filter),
      executionActivity: (filter) => activity.executionActivity(db, filter),
      listRecentFailures: (filter) => activity.listRecentFailures(db, filter),
      markExecutionStarted: (id, startedAt) => executions.markExecutionStarted(db, id, startedAt),
      completeExecution: (id, outcome, fence) => executions.completeExecution(db, id, outcome, fence),
      appendExecutionOutput: (id, chunks, fence) =>
        executionOutput.appendExecutionOutput(db, id, chunks, fence),
      listExecutionOutput: (id, opts) => executionOutput.listExecutionOutput(db, id, opts),

      insertJob: (job) => jobs.insertJob(db, job),
      getJob: (id) => jobs.getJob(db, id),
      listJobs: (filter) => jobs.listJobs(db, filter),
      updateJob: (id, patch) => jobs.updateJob(db, id, patch),

      listStateChanges: (entityId) => stateChanges.listStateChanges(db, entityId),

      insertApiKey: (key) => apiKeys.insertApiKey(db, key),
      getApiKey: (id) => apiKeys.getApiKey(db, id),
      listApiKeys: (project) => apiKeys.listApiKeys(db, project),
      revokeApiKey: (id) => apiKeys.revokeApiKey(db, id),

      allocateNetworkLease: (request) => networkLeases.allocateNetworkLease(db, request),
      getNetworkLease: (vmId) => networkLeases.getNetworkLease(db, vmId),
      listNetworkLeases: (filter) => networkLeases.listNetworkLeases(db, filter),
      releaseNetworkLease: (vmId) => networkLeases.releaseNetworkLease(db, vmId),

      insertSnapshot: (snapshot) => snapshots.insertSnapshot(db, snapshot),
      getSnapshot: (id) => snapshots.getSnapshot(db, id),
      completeSnapshot: (id, outcome) => snapshots.completeSnapshot(db, id, outcome),
      transitionSnapshot: (id, change) => snapshots.transitionSnapshot(db, id, change),
      listSnapshots: (filter) => snapshots.listSnapshots(db, filter),

      registerWorker: (registration) => workers.registerWorker(db, registration),
      heartbeatWorker: (id, epoch, beat) => workers.heartbeatWorker(db, id, epoch, beat),
      setWorkerStatus: (id, epoch, status, reason) => workers.setWorkerStatus(db, id, epoch, status, reason),
      getWorker: (id) => workers.getWorker(db, id),
      listWorkers: () => workers.listWorkers(db),
      reapSilentWorkers: (graceMs) => workers.reapSilentWorkers(db, graceMs),

      appendLogs: (records) => logs.appendLogs(db, records),
      queryLogs: (query) => logs.queryLogs(db, query),
      pruneLogs: (bound) => logs.pruneLogs(db, bound),

      claimWebhookDelivery: (integration, deliveryId, ttlMs) =>
        webhookDeliveries.claimWebhookDelivery(db, integration, deliveryId, ttlMs),

      insertWebhookSubscription: (subscription) =>
        outboundWebhooks.insertWebhookSubscription(db, subscription),
      getWebhookSubscription: (id) => outboundWebhooks.getWebhookSubscription(db, id),
      listWebhookSubscriptions: (project) => outboundWebhooks.listWebhookSubscriptions(db, project),
      deleteWebhookSubscription: (id) => outboundWebhooks.deleteWebhookSubscription(db, id),
      listOutboundDeliveries: (subscriptionId, opts) =>
        outboundWebhooks.listOutboundDeliveries(db, subscriptionId, opts),
      getOutboundDelivery: (id) => outboundWebhooks.getOutboundDelivery(db, id),
      claimOutboundDeliveries: (limit, leaseMs) =>
        outboundWebhooks.claimOutboundDeliveries(db, limit, leaseMs),
      settleOutboundDelivery: (id, attempt, outcome) =>
        outboundWebhooks.settleOutboundDelivery(db, id, attempt, outcome),
      redeliverOutbound: (id, newId) => outboundWebhooks.redeliverOutbound(db, id, newId),

      insertPreview: (preview) => previews.insertPreview(db, preview),
      getPreview: (id) => previews.getPreview(db, id),
      findPreviewByTokenHash: (tokenHash) => previews.findPreviewByTokenHash(db, tokenHash),
      listPreviews: (vmId, opts) => previews.listPreviews(db, vmId, opts),
      revokePreview: (id) => previews.revokePreview(db, id),

      insertSession: (session) => sessions.insertSession(db, session),
      findActiveSession: (secretHash) => sessions.findActiveSession(db, secretHash),
      revokeSession: (id) => sessions.revokeSession(db, id),

      ping: async () => {
        await db.execute(sql`select 1`);
      },
    } satisfies Omit<Store, 'kind' | 'close'>,
    () => closed !== undefined,
  );
  return {
    kind: options.kind,
    ...methods,
    // Idempotent: shutdown paths often close twice (signal handler + finally).
    close: () => {
      closed ??= options.close();
      return closed;
    },
  };
}
