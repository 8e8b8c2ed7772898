import { AetherError } from '../core/errors.js';
import type { ApiSchemaName } from './schemas.js';

/** Where the API lives on a gateway. */
export const API_PREFIX = '/api/v1';

export const API_TAGS = [
  'vms',
  'snapshots',
  'executions',
  'files',
  'tasks',
  'jobs',
  'workers',
  'keys',
  'sessions',
  'logs',
  'events',
  'integrations',
  'webhooks',
  'previews',
  'terminals',
  'system',
] as const;
export type ApiTag = (typeof API_TAGS)[number];

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * One answer, by media type: a JSON body; for streaming routes the body of each NDJSON line or
 * of each Server-Sent Event; for plain text (Prometheus metrics) the text.
 */
export interface ApiAnswerSpec {
  description: string;
  json?: ApiSchemaName;
  ndjson?: ApiSchemaName;
  sse?: ApiSchemaName;
  text?: ApiSchemaName;
  /** The body is bytes: one file's (`application/octet-stream`) or a tar archive (`application/x-tar`). */
  binary?: true;
}

/**
 * Who may call a route: `public` answers without credentials (health, the document, the docs);
 * `user` needs credentials and sees its own project; `admin` needs an admin principal; `signed`
 * takes no API key or JWT because the request's signature is its credential (webhooks: the
 * handler refuses an unsigned or mis-signed request with 401 before anything is read from it).
 */
export type ApiAccess = 'public' | 'user' | 'admin' | 'signed';

/** One operation of the API: what the gateway serves, the client calls and the document describes. */
export interface ApiRouteSpec {
  method: ApiMethod;
  /** The full path, with OpenAPI-style parameters: `/api/v1/vms/{id}` (`/metrics` is outside the API). */
  path: string;
  summary: string;
  description?: string;
  tag: ApiTag;
  access: ApiAccess;
  params?: ApiSchemaName;
  query?: ApiSchemaName;
  body?: ApiSchemaName;
  /**
   * The request body is a byte stream (`application/octet-stream`, or `application/x-tar` where
   * `tar` is set), read as it arrives with backpressure; no size limit but the VM's disk.
   */
  streamedBody?: { tar: boolean };
  /** Answers by status. A status listed here wins over `errors` (health's 503 is a health report). */
  answers: Readonly<Record<number, ApiAnswerSpec>>;
  /** The body of every other 4xx and 5xx answer. */
  errors: ApiSchemaName;
}

const write = { query: 'WriteQuery', access: 'user' } as const;

/**
 * The route table: each key is the operation id. The gateway registers these routes with these
 * schemas, the client calls them by key, and a test checks that the served document, this table
 * and the client agree.
 */
export const API_ROUTES = {
  createVm: {
    ...write,
    method: 'POST',
    path: '/api/v1/vms',
    summary: 'Create a VM',
    tag: 'vms',
    body: 'CreateVmRequest',
    answers: {
      202: { description: 'Accepted: the task is queued', json: 'VmWriteAccepted' },
      200: { description: 'With `?wait=true`: the VM is running', json: 'VmWriteDone' },
    },
    errors: 'VmWriteError',
  },
  listVms: {
    method: 'GET',
    path: '/api/v1/vms',
    summary: 'List VMs',
    tag: 'vms',
    access: 'user',
    query: 'ListVmsQuery',
    answers: { 200: { description: 'The VMs', json: 'VmList' } },
    errors: 'ErrorBody',
  },
  getVm: {
    method: 'GET',
    path: '/api/v1/vms/{id}',
    summary: 'Get a VM by id or name',
    tag: 'vms',
    access: 'user',
    params: 'IdParams',
    answers: { 200: { description: 'The VM', json: 'Vm' } },
    errors: 'ErrorBody',
  },
  deleteVm: {
    ...write,
    method: 'DELETE',
    path: '/api/v1/vms/{id}',
    summary: 'Delete a VM',
    tag: 'vms',
    params: 'IdParams',
    answers: {
      202: { description: 'Accepted: the task is queued', json: 'VmWriteAccepted' },
      200: { description: 'With `?wait=true`: the VM is deleted', json: 'VmWriteDone' },
    },
    errors: 'VmWriteError',
  },
  stopVm: {
    ...write,
    method: 'POST',
    path: '/api/v1/vms/{id}/stop',
    summary: 'Stop a running VM, keeping its files',
    description:
      "Ends the VM's processes (process: the sandbox; docker: the container; microVMs: the VMM) and keeps its disk; `POST /api/v1/vms/{id}/start` boots it again. Commands are refused with 409 `ERR_VM_NOT_RUNNING` while it is stopped. A VM that is not running answers 409 `ERR_INVALID_TRANSITION`.",
    tag: 'vms',
    params: 'IdParams',
    answers: {
      202: { description: 'Accepted: the task is queued', json: 'VmWriteAccepted' },
      200: { description: 'With `?wait=true`: the VM is stopped', json: 'VmWriteDone' },
    },
    errors: 'VmWriteError',
  },
  startVm: {
    ...write,
    method: 'POST',
    path: '/api/v1/vms/{id}/start',
    summary: 'Start a stopped VM again',
    description:
      'Boots the VM on the worker that holds its files, which are as the stop left them. Its idle timeout starts over, and so does a lifetime that ran out while it was stopped. A VM that is not stopped answers 409 `ERR_INVALID_TRANSITION`.',
    tag: 'vms',
    params: 'IdParams',
    answers: {
      202: { description: 'Accepted: the task is queued', json: 'VmWriteAccepted' },
      200: { description: 'With `?wait=true`: the VM is running', json: 'VmWriteDone' },
    },
    errors: 'VmWriteError',
  },
  pauseVm: {
    ...write,
    query: 'PauseVmQuery',
    method: 'POST',
    path: '/api/v1/vms/{id}/pause',
    summary: 'Pause a running VM, keeping its memory',
    description:
      "Freezes the VM where it stands (process: the cgroup freezer; docker: `docker pause`; qemu: QMP `stop`; firecracker: `PATCH /vm Paused`): its processes get no CPU but keep their memory, files and connections, and `POST /api/v1/vms/{id}/resume` lets them run on. With `hibernate=true` (qemu, firecracker) the VM's memory and device state are saved beside its disk and its VMM ends, so the paused VM holds no RAM (`hibernated_at` says so); resume wakes it from that state. Commands are refused with 409 `ERR_VM_NOT_RUNNING` while it is paused; it can still be stopped (a stop drops the saved memory) or deleted. A VM that is not running answers 409 `ERR_INVALID_TRANSITION`; `hibernate` on a driver that cannot answers 400 `ERR_VALIDATION`; a driver that cannot pause fails the task with `ERR_UNSUPPORTED`.",
    tag: 'vms',
    params: 'IdParams',
    answers: {
      202: { description: 'Accepted: the task is queued', json: 'VmWriteAccepted' },
      200: { description: 'With `?wait=true`: the VM is paused', json: 'VmWriteDone' },
    },
    errors: 'VmWriteError',
  },
  resumeVm: {
    ...write,
    method: 'POST',
    path: '/api/v1/vms/{id}/resume',
    summary: 'Resume a paused VM',
    description:
      'Lets a paused VM run on from where it stood. A VM that is not paused answers 409 `ERR_INVALID_TRANSITION`.',
    tag: 'vms',
    params: 'IdParams',
    answers: {
      202: { description: 'Accepted: the task is queued', json: 'VmWriteAccepted' },
      200: { description: 'With `?wait=true`: the VM is running', json: 'VmWriteDone' },
    },
    errors: 'VmWriteError',
  },
  extendVm: {
    method: 'POST',
    path: '/api/v1/vms/{id}/extend',
    summary: "Move a VM's lifetime deadline later",
    description:
      'Adds `ttl_seconds` to `expires_at` (to now, when it has passed but the VM has not ended yet). A VM created without a lifetime, or one that is ending or has ended, answers 400 `ERR_VALIDATION` saying why.',
    tag: 'vms',
    access: 'user',
    params: 'IdParams',
    body: 'ExtendVmRequest',
    answers: { 200: { description: 'The VM with its new deadline', json: 'Vm' } },
    errors: 'ErrorBody',
  },
  snapshotVm: {
    ...write,
    method: 'POST',
    path: '/api/v1/vms/{id}/snapshots',
    summary: 'Snapshot a running VM',
    description:
      'Pauses the VM, saves its memory, devices and disk, and resumes it. Create VMs from the snapshot with `from_snapshot` on `POST /api/v1/vms`. Drivers that cannot answer 400 with the field `snapshot`.',
    tag: 'snapshots',
    params: 'IdParams',
    answers: {
      202: { description: 'Accepted: the task is queued', json: 'SnapshotWriteAccepted' },
      200: { description: 'With `?wait=true`: the snapshot is ready', json: 'SnapshotWriteDone' },
    },
    errors: 'SnapshotWriteError',
  },
  listSnapshots: {
    method: 'GET',
    path: '/api/v1/snapshots',
    summary: 'List snapshots',
    description: 'Newest first; `deleted` ones only with `include_deleted`.',
    tag: 'snapshots',
    access: 'user',
    query: 'ListSnapshotsQuery',
    answers: { 200: { description: 'The snapshots', json: 'SnapshotList' } },
    errors: 'ErrorBody',
  },
  deleteSnapshot: {
    ...write,
    method: 'DELETE',
    path: '/api/v1/snapshots/{id}',
    summary: 'Delete a snapshot',
    description:
      'Removes its files on the worker that holds them; the record stays, `deleted`. Refused with 409 `ERR_SNAPSHOT_IN_USE` while VMs made from it exist.',
    tag: 'snapshots',
    params: 'IdParams',
    answers: {
      202: { description: 'Accepted: the task is queued', json: 'SnapshotWriteAccepted' },
      200: { description: 'With `?wait=true`: the snapshot is deleted', json: 'SnapshotWriteDone' },
    },
    errors: 'SnapshotWriteError',
  },
  getSnapshot: {
    method: 'GET',
    path: '/api/v1/snapshots/{id}',
    summary: 'Get a snapshot',
    tag: 'snapshots',
    access: 'user',
    params: 'IdParams',
    answers: { 200: { description: 'The snapshot', json: 'Snapshot' } },
    errors: 'ErrorBody',
  },
  executeCommand: {
    ...write,
    method: 'POST',
    path: '/api/v1/vms/{id}/execute',
    summary: 'Run a command in a VM',
    description:
      '`?wait=true` answers when the command ends; `?stream=true` answers with NDJSON lines (task, stdout, stderr, exit) as they happen, and a blank line every 15 s to keep the connection alive (skip it).',
    tag: 'executions',
    params: 'IdParams',
    body: 'ExecuteRequest',
    answers: {
      202: { description: 'Accepted: the task is queued', json: 'ExecuteAccepted' },
      200: {
        description: 'With `?wait=true`: the execution; with `?stream=true`: its output as it happens',
        json: 'ExecuteDone',
        ndjson: 'ExecutionStreamLine',
      },
    },
    errors: 'ExecuteError',
  },
  listExecutions: {
    method: 'GET',
    path: '/api/v1/vms/{id}/executions',
    summary: 'List executions of a VM, newest first',
    tag: 'executions',
    access: 'user',
    params: 'IdParams',
    query: 'ListQuery',
    answers: { 200: { description: 'The executions, newest first', json: 'ExecutionList' } },
    errors: 'ErrorBody',
  },
  getExecution: {
    method: 'GET',
    path: '/api/v1/executions/{id}',
    summary: 'Get an execution',
    tag: 'executions',
    access: 'user',
    params: 'IdParams',
    answers: { 200: { description: 'The execution and its output', json: 'Execution' } },
    errors: 'ErrorBody',
  },
  streamExecution: {
    method: 'GET',
    path: '/api/v1/executions/{id}/stream',
    summary: "Follow an execution's output live (WebSocket or Server-Sent Events)",
    description:
      'Upgrade to a WebSocket, or ask for `text/event-stream`. Replays the stored output from `after_seq` (SSE: also `Last-Event-ID`), then follows it live until the command ends, whichever gateway or worker runs it; then one `exit` or `error` and the stream closes. Chunk data is base64 of the exact bytes. WebSocket close codes: 1000 after the end, 4000 + HTTP status after a stream error (4503: reconnect with `after_seq`). An unknown id is a 404 before any upgrade.',
    tag: 'executions',
    access: 'user',
    params: 'StreamParams',
    query: 'StreamQuery',
    answers: {
      200: {
        description: 'One event per message (WebSocket: 101, then one text frame per message)',
        sse: 'ExecutionStreamMessage',
      },
    },
    errors: 'ErrorBody',
  },
  getTask: {
    method: 'GET',
    path: '/api/v1/tasks/{id}',
    summary: 'Get a task',
    tag: 'tasks',
    access: 'user',
    params: 'IdParams',
    answers: { 200: { description: 'The task', json: 'Task' } },
    errors: 'ErrorBody',
  },
  runJob: {
    ...write,
    method: 'POST',
    path: '/api/v1/vms/{id}/jobs',
    summary: 'Run a job: named steps in order in one VM, stopping at the first failure',
    tag: 'jobs',
    params: 'IdParams',
    body: 'JobRequest',
    answers: {
      202: { description: 'Accepted: the task is queued', json: 'JobWriteAccepted' },
      200: { description: 'With `?wait=true`: every step succeeded', json: 'JobWriteDone' },
    },
    errors: 'JobWriteError',
  },
  getJob: {
    method: 'GET',
    path: '/api/v1/jobs/{id}',
    summary: 'Get a job and its step results',
    tag: 'jobs',
    access: 'user',
    params: 'IdParams',
    answers: { 200: { description: 'The job', json: 'Job' } },
    errors: 'ErrorBody',
  },
  listVmEvents: {
    method: 'GET',
    path: '/api/v1/vms/{id}/events',
    summary: "A VM's lifecycle timeline: every change of its status, with the reason",
    description:
      "Oldest first, from the store's log of state changes; a deleted VM's id still answers. Another project's VM answers 404 `ERR_VM_NOT_FOUND` as `GET /vms/{id}` does.",
    tag: 'vms',
    access: 'user',
    params: 'IdParams',
    answers: { 200: { description: 'The changes, oldest first', json: 'VmEventList' } },
    errors: 'ErrorBody',
  },
  listTasks: {
    method: 'GET',
    path: '/api/v1/tasks',
    summary: 'List tasks, newest first',
    description:
      "The caller's project's; an admin sees every project's. `status` and `type` take several values, comma-separated or repeated.",
    tag: 'tasks',
    access: 'user',
    query: 'ListTasksQuery',
    answers: { 200: { description: 'The tasks, newest first', json: 'TaskList' } },
    errors: 'ErrorBody',
  },
  listAllExecutions: {
    method: 'GET',
    path: '/api/v1/executions',
    summary: 'List executions across VMs, newest first',
    description:
      "The caller's project's; an admin sees every project's. `status` filters on `outcome` (several values, comma-separated or repeated).",
    tag: 'executions',
    access: 'user',
    query: 'ListAllExecutionsQuery',
    answers: { 200: { description: 'The executions, newest first', json: 'ExecutionList' } },
    errors: 'ErrorBody',
  },
  listJobs: {
    method: 'GET',
    path: '/api/v1/jobs',
    summary: 'List jobs, newest first',
    description:
      "The caller's project's; an admin sees every project's. `status` takes several values, comma-separated or repeated.",
    tag: 'jobs',
    access: 'user',
    query: 'ListJobsQuery',
    answers: { 200: { description: 'The jobs, newest first', json: 'JobList' } },
    errors: 'ErrorBody',
  },
  getOverview: {
    method: 'GET',
    path: '/api/v1/overview',
    summary: 'The fleet at a glance: VMs, queue, executions of the last hour, recent failures, workers',
    description:
      "VMs, executions and failures are the caller's project's (an admin's: every project's). Executions are counted by the minute they completed, over the last 60 minutes up to the current one; latency is their `duration_ms`. Failures are those of the last 24 h. The queue's figures are cluster-wide, whoever asks: the queue has no per-project split. `workers` is null unless the caller is an admin.",
    tag: 'system',
    access: 'user',
    answers: { 200: { description: 'The overview', json: 'Overview' } },
    errors: 'ErrorBody',
  },
  getQueue: {
    method: 'GET',
    path: '/api/v1/queue',
    summary: "The task queue's own view: its kind, counts, and depth by queue name and priority (admin only)",
    tag: 'system',
    access: 'admin',
    answers: { 200: { description: 'The queue', json: 'QueueView' } },
    errors: 'ErrorBody',
  },
  listIntegrations: {
    method: 'GET',
    path: '/api/v1/integrations',
    summary: 'Enabled integrations: their health and recent webhook deliveries (admin only)',
    description:
      "Health is each integration's own view of itself, from memory. Deliveries are the last 50 webhooks per integration that this gateway process received, newest first, with how it answered them; they are kept in memory, so another gateway of the cluster lists its own, and a restart starts the list afresh.",
    tag: 'integrations',
    access: 'admin',
    answers: { 200: { description: 'The integrations', json: 'IntegrationList' } },
    errors: 'ErrorBody',
  },
  listWorkers: {
    method: 'GET',
    path: '/api/v1/workers',
    summary: 'List workers: host, drivers, capacity, load, heartbeat',
    tag: 'workers',
    access: 'admin',
    answers: { 200: { description: 'The workers', json: 'WorkerList' } },
    errors: 'ErrorBody',
  },
  getWorker: {
    method: 'GET',
    path: '/api/v1/workers/{id}',
    summary: 'Get a worker',
    tag: 'workers',
    access: 'admin',
    params: 'WorkerParams',
    answers: { 200: { description: 'The worker', json: 'Worker' } },
    errors: 'ErrorBody',
  },
  createKey: {
    method: 'POST',
    path: '/api/v1/keys',
    summary: 'Create an API key (shown once)',
    description:
      'Any caller makes keys for its own project; admin keys and keys of other projects need an admin key.',
    tag: 'keys',
    access: 'user',
    body: 'CreateKeyRequest',
    answers: { 201: { description: 'The key; `secret` is shown only here', json: 'CreatedKey' } },
    errors: 'ErrorBody',
  },
  listKeys: {
    method: 'GET',
    path: '/api/v1/keys',
    summary: 'List API keys',
    description: "The caller's project's keys; an admin sees every project's. Revoked keys included.",
    tag: 'keys',
    access: 'user',
    answers: { 200: { description: 'The keys, newest first', json: 'ApiKeyList' } },
    errors: 'ErrorBody',
  },
  revokeKey: {
    method: 'DELETE',
    path: '/api/v1/keys/{id}',
    summary: 'Revoke an API key',
    tag: 'keys',
    access: 'user',
    params: 'KeyParams',
    answers: { 200: { description: 'The key, revoked', json: 'ApiKey' } },
    errors: 'ErrorBody',
  },
  createSession: {
    method: 'POST',
    path: '/api/v1/sessions',
    summary: 'Sign in a browser: trade an API key or JWT for a session cookie',
    description:
      "The token is verified as a bearer token is; a wrong, revoked or expired one answers 401 `ERR_UNAUTHENTICATED` and sets no cookie. The answer sets `aether_session` (`HttpOnly; SameSite=Strict; Path=/`, `Secure` over https), which then authenticates every request of this origin until `expires_at` (`AETHER_SESSION_TTL_SECONDS`, and no later than a JWT's `exp`). Requests the cookie authenticates must carry `csrf_token` as the `x-csrf-token` header on POST, PUT and DELETE, and no `Origin` but the gateway's own (403 `ERR_CSRF`). A request with an `Authorization` header or `access_token` is authenticated by that alone.",
    tag: 'sessions',
    access: 'public',
    body: 'CreateSessionRequest',
    answers: { 201: { description: 'Signed in; the cookie is set', json: 'Session' } },
    errors: 'ErrorBody',
  },
  getSession: {
    method: 'GET',
    path: '/api/v1/sessions/current',
    summary: 'Who this request acts as, and its CSRF token',
    description:
      'With the session cookie: the session and its `csrf_token`. With a bearer token: the credential behind it, `csrf_token` null.',
    tag: 'sessions',
    access: 'user',
    answers: { 200: { description: 'The caller', json: 'Session' } },
    errors: 'ErrorBody',
  },
  deleteSession: {
    method: 'DELETE',
    path: '/api/v1/sessions/current',
    summary: 'Sign out: end the session of the cookie, on every gateway, and clear the cookie',
    description:
      'The session is revoked in the store, so a copy of the cookie stops working everywhere at once. Without a session cookie (a bearer caller) nothing is revoked.',
    tag: 'sessions',
    access: 'user',
    answers: { 200: { description: 'Signed out; the cookie is cleared', json: 'Ok' } },
    errors: 'ErrorBody',
  },
  queryLogs: {
    method: 'POST',
    path: '/api/v1/logs/query',
    summary: 'Search the logs',
    description:
      "Lines of the platform and output of commands, filtered; from Loki when `logging.provider` is `loki`, else from the store's bounded table. A caller sees its own project's lines; admins see every project's and the platform's own.",
    tag: 'logs',
    access: 'user',
    body: 'LogQueryRequest',
    answers: { 200: { description: 'The lines, in the order asked', json: 'LogList' } },
    errors: 'ErrorBody',
  },
  streamLogs: {
    method: 'GET',
    path: '/api/v1/logs/stream',
    summary: 'Follow the logs live (WebSocket or Server-Sent Events)',
    description:
      'Upgrade to a WebSocket, or ask for `text/event-stream`. Sends the last `backlog` matching lines, oldest first, then each new matching line as it is written, until the client leaves. Same filters and tenancy as `POST /logs/query`.',
    tag: 'logs',
    access: 'user',
    query: 'LogStreamQuery',
    answers: {
      200: {
        description: 'One message per line (WebSocket: 101, then one text frame per message)',
        sse: 'LogStreamMessage',
      },
    },
    errors: 'ErrorBody',
  },
  streamEvents: {
    method: 'GET',
    path: '/api/v1/events',
    summary: 'Follow VM, task and worker changes live (WebSocket or Server-Sent Events)',
    description:
      "Upgrade to a WebSocket, or ask for `text/event-stream`. Sends `ready` once listening (read your lists after it: no later change is missed), then one message per change as the gateway hears it: `vm` (a VM's status), `task` (a task's status), `worker` (joined or left; admins only), until the client leaves. A project's key sees its own project's VMs and tasks; an admin key sees every project's. Nothing is replayed: a client that reconnects reads its lists again after the new `ready`. A client that falls 1000 changes behind is dropped (`error` ERR_RATE_LIMITED, close code 4429). WebSocket close codes: 4000 + HTTP status after an `error` (4503: the gateway is closing). An unknown `types` is a 400, and `worker` without an admin key a 403, before any upgrade.",
    tag: 'events',
    access: 'user',
    query: 'EventStreamQuery',
    answers: {
      200: {
        description: 'One message per change (WebSocket: 101, then one text frame per message)',
        sse: 'EventStreamMessage',
      },
    },
    errors: 'ErrorBody',
  },
  receiveWebhook: {
    method: 'POST',
    path: '/api/v1/webhooks/{integration}',
    summary: 'Receive a GitHub or Slack webhook',
    description:
      'No API key: the body must be signed by the integration (GitHub `X-Hub-Signature-256`; Slack `X-Slack-Signature` over `v0:timestamp:body` within 5 minutes). Unsigned, mis-signed or stale requests answer 401, replayed deliveries 409; neither does anything. The body is taken as sent (JSON from GitHub, a form from Slack) and work it starts runs in the background.',
    tag: 'integrations',
    access: 'signed',
    params: 'IntegrationParams',
    answers: {
      200: { description: 'Verified; the answer Slack shows the user', json: 'WebhookAnswer' },
      202: { description: 'Verified and taken; work runs in the background', json: 'WebhookAnswer' },
    },
    errors: 'ErrorBody',
  },
  createWebhook: {
    method: 'POST',
    path: '/api/v1/webhooks',
    summary: 'Subscribe a URL to events (the secret is shown once)',
    description:
      "Events of the caller's project matching `events` are POSTed to `url`, signed with the secret (see docs/webhooks.md). A URL that is not http(s) or whose host resolves to an internal address answers 400 `ERR_WEBHOOK_URL_REFUSED`.",
    tag: 'webhooks',
    access: 'user',
    body: 'CreateWebhookRequest',
    answers: {
      201: { description: 'The subscription; `secret` is shown only here', json: 'CreatedWebhook' },
    },
    errors: 'ErrorBody',
  },
  listWebhooks: {
    method: 'GET',
    path: '/api/v1/webhooks',
    summary: 'List webhook subscriptions',
    description: "The caller's project's; an admin sees every project's. Secrets are never listed.",
    tag: 'webhooks',
    access: 'user',
    answers: { 200: { description: 'The subscriptions, oldest first', json: 'WebhookList' } },
    errors: 'ErrorBody',
  },
  deleteWebhook: {
    method: 'DELETE',
    path: '/api/v1/webhooks/{id}',
    summary: 'Delete a webhook subscription and its delivery log',
    tag: 'webhooks',
    access: 'user',
    params: 'WebhookParams',
    answers: { 200: { description: 'The subscription, deleted', json: 'Webhook' } },
    errors: 'ErrorBody',
  },
  listWebhookDeliveries: {
    method: 'GET',
    path: '/api/v1/webhooks/{id}/deliveries',
    summary: "List a webhook's deliveries",
    tag: 'webhooks',
    access: 'user',
    params: 'WebhookParams',
    query: 'WebhookDeliveriesQuery',
    answers: { 200: { description: 'The deliveries, newest first', json: 'WebhookDeliveryList' } },
    errors: 'ErrorBody',
  },
  redeliverWebhook: {
    method: 'POST',
    path: '/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver',
    summary: 'Send a delivery again',
    description: 'Queues the same event as a new delivery (a new `X-Aether-Delivery` id), due at once.',
    tag: 'webhooks',
    access: 'user',
    params: 'WebhookDeliveryParams',
    answers: { 202: { description: 'The new delivery, pending', json: 'WebhookDelivery' } },
    errors: 'ErrorBody',
  },
  getHealth: {
    method: 'GET',
    path: '/api/v1/health',
    summary: 'Liveness: the gateway serves HTTP',
    description: 'Touches no backend, so an outage of one never gets healthy gateways restarted',
    tag: 'system',
    access: 'public',
    answers: { 200: { description: 'The process serves HTTP', json: 'Health' } },
    errors: 'ErrorBody',
  },
  getReady: {
    method: 'GET',
    path: '/api/v1/ready',
    summary: 'Readiness: store, queue, event bus and workers, each checked',
    tag: 'system',
    access: 'public',
    answers: {
      200: { description: 'Every component is ok', json: 'Readiness' },
      503: { description: 'Some component is not ok', json: 'Readiness' },
    },
    errors: 'ErrorBody',
  },
  getOpenApiDocument: {
    method: 'GET',
    path: '/api/v1/openapi.json',
    summary: 'This OpenAPI document',
    tag: 'system',
    access: 'public',
    answers: { 200: { description: 'The OpenAPI 3 document of this API', json: 'OpenApiDocument' } },
    errors: 'ErrorBody',
  },
  getMetrics: {
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics of this node (admin only)',
    description:
      'Outside the versioned API, where scrapers look. Prometheus text exposition format 0.0.4 (`text/plain; version=0.0.4`); Prometheus sends an admin key as its bearer token.',
    tag: 'system',
    access: 'admin',
    answers: { 200: { description: 'The metrics', text: 'MetricsText' } },
    errors: 'ErrorBody',
  },
  downloadFile: {
    method: 'GET',
    path: '/api/v1/vms/{id}/files',
    summary: 'Download a file, or a directory as a tar archive',
    description:
      'Streams the bytes as the VM reads them. The `x-aether-entry` header holds the entry (JSON of FsEntry); a file has a `content-length`. A transfer cut by the VM or the worker ends the connection before the last byte.',
    tag: 'files',
    access: 'user',
    params: 'IdParams',
    query: 'DownloadQuery',
    answers: { 200: { description: 'The file, or a tar archive of the directory', binary: true } },
    errors: 'ErrorBody',
  },
  uploadFile: {
    method: 'PUT',
    path: '/api/v1/vms/{id}/files',
    summary: 'Upload a file, or unpack a tar archive into a directory',
    description:
      "Send the bytes as `application/octet-stream` (one file; parents are created) or a tar archive as `application/x-tar` (unpacked into `path`). Streamed with backpressure and no size limit but the VM's disk: a full disk answers 507 `ERR_VM_DISK_FULL`, and a cut transfer leaves no half-written file.",
    tag: 'files',
    access: 'user',
    params: 'IdParams',
    query: 'UploadQuery',
    streamedBody: { tar: true },
    answers: { 201: { description: 'Written', json: 'UploadResult' } },
    errors: 'ErrorBody',
  },
  deleteFile: {
    method: 'DELETE',
    path: '/api/v1/vms/{id}/files',
    summary: 'Remove a file, a symlink or a directory (non-empty ones with `recursive`)',
    tag: 'files',
    access: 'user',
    params: 'IdParams',
    query: 'DeleteFileQuery',
    answers: { 200: { description: 'Removed', json: 'Ok' } },
    errors: 'ErrorBody',
  },
  statFile: {
    method: 'GET',
    path: '/api/v1/vms/{id}/files/stat',
    summary: 'Describe one path in a VM',
    tag: 'files',
    access: 'user',
    params: 'IdParams',
    query: 'FilePathQuery',
    answers: { 200: { description: 'The entry', json: 'FsEntry' } },
    errors: 'ErrorBody',
  },
  listFiles: {
    method: 'GET',
    path: '/api/v1/vms/{id}/files/list',
    summary: 'List a directory in a VM',
    tag: 'files',
    access: 'user',
    params: 'IdParams',
    query: 'ListFilesQuery',
    answers: { 200: { description: 'Its entries', json: 'FsListing' } },
    errors: 'ErrorBody',
  },
  makeDirectory: {
    method: 'POST',
    path: '/api/v1/vms/{id}/files/mkdir',
    summary: 'Create a directory in a VM',
    tag: 'files',
    access: 'user',
    params: 'IdParams',
    body: 'MkdirRequest',
    answers: { 201: { description: 'Created', json: 'Ok' } },
    errors: 'ErrorBody',
  },
  moveFile: {
    method: 'POST',
    path: '/api/v1/vms/{id}/files/move',
    summary: 'Move or rename a path in a VM',
    tag: 'files',
    access: 'user',
    params: 'IdParams',
    body: 'MoveRequest',
    answers: { 200: { description: 'Moved', json: 'Ok' } },
    errors: 'ErrorBody',
  },
  listProcesses: {
    method: 'GET',
    path: '/api/v1/vms/{id}/processes',
    summary: "A VM's running executions with their pids (what `aether ps` shows)",
    description: 'Asked of the worker that owns the VM, so it shows what runs now, with pids.',
    tag: 'executions',
    access: 'user',
    params: 'IdParams',
    answers: { 200: { description: 'The running executions', json: 'ProcessList' } },
    errors: 'ErrorBody',
  },
  openTerminal: {
    method: 'POST',
    path: '/api/v1/vms/{id}/terminals',
    summary: 'Start a command on a terminal in a VM (default: a login shell)',
    description:
      'The command runs on a pseudo-terminal in the VM, held by the worker that owns the VM, whether or not a client is attached: attach with `GET /api/v1/vms/{id}/terminals/{terminal_id}/attach` (WebSocket). When the last client detaches the session waits `AETHER_TERMINAL_DETACH_GRACE_MS` (default 10 minutes) for one to re-attach, then the command gets SIGHUP. 429 `ERR_TOO_MANY_STREAMS` when the VM holds as many terminals as a worker allows.',
    tag: 'terminals',
    access: 'user',
    params: 'IdParams',
    body: 'OpenTerminalRequest',
    answers: { 201: { description: 'The session, running', json: 'Terminal' } },
    errors: 'ErrorBody',
  },
  listTerminals: {
    method: 'GET',
    path: '/api/v1/vms/{id}/terminals',
    summary: "A VM's terminal sessions (running, and ended in the last minute)",
    tag: 'terminals',
    access: 'user',
    params: 'IdParams',
    answers: { 200: { description: 'The sessions', json: 'TerminalList' } },
    errors: 'ErrorBody',
  },
  getTerminal: {
    method: 'GET',
    path: '/api/v1/vms/{id}/terminals/{terminal_id}',
    summary: 'One terminal session',
    tag: 'terminals',
    access: 'user',
    params: 'TerminalParams',
    answers: { 200: { description: 'The session', json: 'Terminal' } },
    errors: 'ErrorBody',
  },
  resizeTerminal: {
    method: 'POST',
    path: '/api/v1/vms/{id}/terminals/{terminal_id}/resize',
    summary: "Set a terminal's size (the command gets SIGWINCH)",
    description: 'Attached clients can also send `{"type":"resize","cols":C,"rows":R}` on the socket.',
    tag: 'terminals',
    access: 'user',
    params: 'TerminalParams',
    body: 'TerminalSizeRequest',
    answers: { 200: { description: 'Resized', json: 'Ok' } },
    errors: 'ErrorBody',
  },
  closeTerminal: {
    method: 'DELETE',
    path: '/api/v1/vms/{id}/terminals/{terminal_id}',
    summary: 'End a terminal session: its command gets SIGHUP, then SIGKILL after 5 s',
    tag: 'terminals',
    access: 'user',
    params: 'TerminalParams',
    answers: { 200: { description: 'Hung up', json: 'Ok' } },
    errors: 'ErrorBody',
  },
  attachTerminal: {
    method: 'GET',
    path: '/api/v1/vms/{id}/terminals/{terminal_id}/attach',
    summary: 'Attach to a terminal session (WebSocket)',
    description:
      'Upgrade to a WebSocket. Binary frames carry bytes: typed input from the client, the terminal\'s output from the server, starting with a replay of its recent output (64 KiB), so a client re-attaching sees the screen. Text frames are JSON: `{"type":"resize","cols":C,"rows":R}` from the client; `{"type":"exit","exit_code":N,"signal":S}` from the server as its last message before it closes with 1000. A closed socket detaches; the session runs on. Browsers pass the key as `?access_token=`. An unknown session is a 404 before any upgrade.',
    tag: 'terminals',
    access: 'user',
    params: 'TerminalParams',
    answers: {
      200: {
        description: 'WebSocket only (101); text frames are these messages',
        json: 'TerminalSocketMessage',
      },
    },
    errors: 'ErrorBody',
  },
  connectPort: {
    method: 'GET',
    path: '/api/v1/vms/{id}/ports/{port}/connect',
    summary: 'A TCP connection to a port inside a VM (WebSocket), as `aether port-forward` uses',
    description:
      'Upgrade to a WebSocket whose binary frames are the bytes of a TCP connection to `127.0.0.1:<port>` inside the VM, opened by its guest agent (the VM needs no network). The socket closes when the app closes the connection; closing the socket closes it. 502 `ERR_PORT_UNREACHABLE` before the upgrade when nothing listens there; idle connections close after `AETHER_TUNNEL_IDLE_TIMEOUT_MS`.',
    tag: 'previews',
    access: 'user',
    params: 'PortParams',
    answers: {
      200: { description: "WebSocket only (101): binary frames, the connection's bytes", binary: true },
    },
    errors: 'ErrorBody',
  },
  getVmUsage: {
    method: 'GET',
    path: '/api/v1/vms/{id}/usage',
    summary: 'What a running VM uses now: CPU time, memory, disk, processes',
    description:
      "Read by the VM's driver on the worker that owns it; a figure the driver cannot read is null. A VM that is not running answers 409 `ERR_VM_NOT_RUNNING`.",
    tag: 'vms',
    access: 'user',
    params: 'IdParams',
    answers: { 200: { description: 'The sample', json: 'VmUsage' } },
    errors: 'ErrorBody',
  },
  signalExecution: {
    method: 'POST',
    path: '/api/v1/executions/{id}/signal',
    summary: "Send a signal to a running execution's whole process tree",
    description:
      "The execution then ends as usual; killed by the signal, its outcome is `signalled` with the signal's name. 409 `ERR_EXECUTION_NOT_RUNNING` once it has ended.",
    tag: 'executions',
    access: 'user',
    params: 'IdParams',
    body: 'SignalRequest',
    answers: { 202: { description: 'Delivered to the command', json: 'Ok' } },
    errors: 'ErrorBody',
  },
  createPreview: {
    method: 'POST',
    path: '/api/v1/vms/{id}/previews',
    summary: 'Make a preview URL of a port inside a VM (the token is shown once)',
    description:
      'Anyone holding the URL reaches the app listening on `127.0.0.1:<port>` inside the VM (which needs no network) until it expires or is revoked; see docs/ports.md. The VM need not run yet; requests through the URL answer 409 `ERR_VM_NOT_RUNNING` while it does not, 502 `ERR_PORT_UNREACHABLE` while nothing listens on the port.',
    tag: 'previews',
    access: 'user',
    params: 'IdParams',
    body: 'CreatePreviewRequest',
    answers: {
      201: { description: 'The preview; `token` and `url` are shown only here', json: 'CreatedPreview' },
    },
    errors: 'ErrorBody',
  },
  listPreviews: {
    method: 'GET',
    path: '/api/v1/vms/{id}/previews',
    summary: "List a VM's preview URLs (never their tokens)",
    tag: 'previews',
    access: 'user',
    params: 'IdParams',
    answers: {
      200: { description: 'Its previews, newest first, each with its `state`', json: 'PreviewList' },
    },
    errors: 'ErrorBody',
  },
  revokePreview: {
    method: 'DELETE',
    path: '/api/v1/vms/{id}/previews/{preview_id}',
    summary: 'Revoke a preview URL at once',
    description:
      'Requests bringing its token answer 404 `ERR_PREVIEW_NOT_FOUND` from then on, on every gateway.',
    tag: 'previews',
    access: 'user',
    params: 'PreviewParams',
    answers: { 200: { description: 'Revoked', json: 'Ok' } },
    errors: 'ErrorBody',
  },
  feedStdin: {
    method: 'PUT',
    path: '/api/v1/executions/{id}/stdin',
    summary: 'Stream the stdin of an execution started with `stdin_stream`',
    description:
      'The request body is fed to the command as it reads (backpressure reaches the sender); stdin closes when the body ends. Waits up to 30 s for the execution to start. One stdin per execution.',
    tag: 'executions',
    access: 'user',
    params: 'IdParams',
    streamedBody: { tar: false },
    answers: { 200: { description: 'Stdin was fed and closed', json: 'StdinResult' } },
    errors: 'ErrorBody',
  },
} as const satisfies Record<string, ApiRouteSpec>;

export type OperationId = keyof typeof API_ROUTES;
export type ApiRoute<Op extends OperationId = OperationId> = (typeof API_ROUTES)[Op];

export const OPERATION_IDS = Object.keys(API_ROUTES) as OperationId[];

/** `/vms/{id}` → `/vms/:id`, the form Fastify registers. */
export function fastifyPath(path: string): string {
  return path.replaceAll(/\{(\w+)\}/g, ':$1');
}

/** The path of a route with its parameters filled in (each one URL-encoded). */
export function fillPath(path: string, params: Readonly<Record<string, string>>): string {
  return path.replaceAll(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined)
      throw new AetherError('ERR_VALIDATION', `path ${path} needs the parameter ${name}`);
    return encodeURIComponent(value);
  });
}
