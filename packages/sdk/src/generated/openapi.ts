// Generated from the OpenAPI document by `npm run sdk:types`. Do not edit.
/* eslint-disable */
export interface paths {
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Follow VM, task and worker changes live (WebSocket or Server-Sent Events)
         * @description Upgrade to a WebSocket, or ask for `text/event-stream`. Sends `ready` once listening (read your lists after it: no later change is missed), then one message per change as the gateway hears it: `vm` (a VM's status), `task` (a task's status), `worker` (joined or left; admins only), until the client leaves. A project's key sees its own project's VMs and tasks; an admin key sees every project's. Nothing is replayed: a client that reconnects reads its lists again after the new `ready`. A client that falls 1000 changes behind is dropped (`error` ERR_RATE_LIMITED, close code 4429). WebSocket close codes: 4000 + HTTP status after an `error` (4503: the gateway is closing). An unknown `types` is a 400, and `worker` without an admin key a 403, before any upgrade.
         */
        get: operations["streamEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List executions across VMs, newest first
         * @description The caller's project's; an admin sees every project's. `status` filters on `outcome` (several values, comma-separated or repeated).
         */
        get: operations["listAllExecutions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an execution */
        get: operations["getExecution"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions/{id}/signal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a signal to a running execution's whole process tree
         * @description The execution then ends as usual; killed by the signal, its outcome is `signalled` with the signal's name. 409 `ERR_EXECUTION_NOT_RUNNING` once it has ended.
         */
        post: operations["signalExecution"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions/{id}/stdin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Stream the stdin of an execution started with `stdin_stream`
         * @description The request body is fed to the command as it reads (backpressure reaches the sender); stdin closes when the body ends. Waits up to 30 s for the execution to start. One stdin per execution.
         */
        put: operations["feedStdin"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions/{id}/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Follow an execution's output live (WebSocket or Server-Sent Events)
         * @description Upgrade to a WebSocket, or ask for `text/event-stream`. Replays the stored output from `after_seq` (SSE: also `Last-Event-ID`), then follows it live until the command ends, whichever gateway or worker runs it; then one `exit` or `error` and the stream closes. Chunk data is base64 of the exact bytes. WebSocket close codes: 1000 after the end, 4000 + HTTP status after a stream error (4503: reconnect with `after_seq`). An unknown id is a 404 before any upgrade.
         */
        get: operations["streamExecution"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness: the gateway serves HTTP
         * @description Touches no backend, so an outage of one never gets healthy gateways restarted
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/integrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Enabled integrations: their health and recent webhook deliveries (admin only)
         * @description Health is each integration's own view of itself, from memory. Deliveries are the last 50 webhooks per integration that this gateway process received, newest first, with how it answered them; they are kept in memory, so another gateway of the cluster lists its own, and a restart starts the list afresh.
         */
        get: operations["listIntegrations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List jobs, newest first
         * @description The caller's project's; an admin sees every project's. `status` takes several values, comma-separated or repeated.
         */
        get: operations["listJobs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a job and its step results */
        get: operations["getJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List API keys
         * @description The caller's project's keys; an admin sees every project's. Revoked keys included.
         */
        get: operations["listKeys"];
        put?: never;
        /**
         * Create an API key (shown once)
         * @description Any caller makes keys for its own project; admin keys and keys of other projects need an admin key.
         */
        post: operations["createKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key */
        delete: operations["revokeKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/logs/query": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Search the logs
         * @description Lines of the platform and output of commands, filtered; from Loki when `logging.provider` is `loki`, else from the store's bounded table. A caller sees its own project's lines; admins see every project's and the platform's own.
         */
        post: operations["queryLogs"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/logs/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Follow the logs live (WebSocket or Server-Sent Events)
         * @description Upgrade to a WebSocket, or ask for `text/event-stream`. Sends the last `backlog` matching lines, oldest first, then each new matching line as it is written, until the client leaves. Same filters and tenancy as `POST /logs/query`.
         */
        get: operations["streamLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI document */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The fleet at a glance: VMs, queue, executions of the last hour, recent failures, workers
         * @description VMs, executions and failures are the caller's project's (an admin's: every project's). Executions are counted by the minute they completed, over the last 60 minutes up to the current one; latency is their `duration_ms`. Failures are those of the last 24 h. The queue's figures are cluster-wide, whoever asks: the queue has no per-project split. `workers` is null unless the caller is an admin.
         */
        get: operations["getOverview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/queue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The task queue's own view: its kind, counts, and depth by queue name and priority (admin only) */
        get: operations["getQueue"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: store, queue, event bus and workers, each checked */
        get: operations["getReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in a browser: trade an API key or JWT for a session cookie
         * @description The token is verified as a bearer token is; a wrong, revoked or expired one answers 401 `ERR_UNAUTHENTICATED` and sets no cookie. The answer sets `aether_session` (`HttpOnly; SameSite=Strict; Path=/`, `Secure` over https), which then authenticates every request of this origin until `expires_at` (`AETHER_SESSION_TTL_SECONDS`, and no later than a JWT's `exp`). Requests the cookie authenticates must carry `csrf_token` as the `x-csrf-token` header on POST, PUT and DELETE, and no `Origin` but the gateway's own (403 `ERR_CSRF`). A request with an `Authorization` header or `access_token` is authenticated by that alone.
         */
        post: operations["createSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who this request acts as, and its CSRF token
         * @description With the session cookie: the session and its `csrf_token`. With a bearer token: the credential behind it, `csrf_token` null.
         */
        get: operations["getSession"];
        put?: never;
        post?: never;
        /**
         * Sign out: end the session of the cookie, on every gateway, and clear the cookie
         * @description The session is revoked in the store, so a copy of the cookie stops working everywhere at once. Without a session cookie (a bearer caller) nothing is revoked.
         */
        delete: operations["deleteSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/snapshots": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List snapshots
         * @description Newest first; `deleted` ones only with `include_deleted`.
         */
        get: operations["listSnapshots"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/snapshots/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a snapshot */
        get: operations["getSnapshot"];
        put?: never;
        post?: never;
        /**
         * Delete a snapshot
         * @description Removes its files on the worker that holds them; the record stays, `deleted`. Refused with 409 `ERR_SNAPSHOT_IN_USE` while VMs made from it exist.
         */
        delete: operations["deleteSnapshot"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List tasks, newest first
         * @description The caller's project's; an admin sees every project's. `status` and `type` take several values, comma-separated or repeated.
         */
        get: operations["listTasks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tasks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a task */
        get: operations["getTask"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List VMs */
        get: operations["listVms"];
        put?: never;
        /** Create a VM */
        post: operations["createVm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a VM by id or name */
        get: operations["getVm"];
        put?: never;
        post?: never;
        /** Delete a VM */
        delete: operations["deleteVm"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A VM's lifecycle timeline: every change of its status, with the reason
         * @description Oldest first, from the store's log of state changes; a deleted VM's id still answers. Another project's VM answers 404 `ERR_VM_NOT_FOUND` as `GET /vms/{id}` does.
         */
        get: operations["listVmEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/execute": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a command in a VM
         * @description `?wait=true` answers when the command ends; `?stream=true` answers with NDJSON lines (task, stdout, stderr, exit) as they happen, and a blank line every 15 s to keep the connection alive (skip it).
         */
        post: operations["executeCommand"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/executions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List executions of a VM, newest first */
        get: operations["listExecutions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/extend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move a VM's lifetime deadline later
         * @description Adds `ttl_seconds` to `expires_at` (to now, when it has passed but the VM has not ended yet). A VM created without a lifetime, or one that is ending or has ended, answers 400 `ERR_VALIDATION` saying why.
         */
        post: operations["extendVm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a file, or a directory as a tar archive
         * @description Streams the bytes as the VM reads them. The `x-aether-entry` header holds the entry (JSON of FsEntry); a file has a `content-length`. A transfer cut by the VM or the worker ends the connection before the last byte.
         */
        get: operations["downloadFile"];
        /**
         * Upload a file, or unpack a tar archive into a directory
         * @description Send the bytes as `application/octet-stream` (one file; parents are created) or a tar archive as `application/x-tar` (unpacked into `path`). Streamed with backpressure and no size limit but the VM's disk: a full disk answers 507 `ERR_VM_DISK_FULL`, and a cut transfer leaves no half-written file.
         */
        put: operations["uploadFile"];
        post?: never;
        /** Remove a file, a symlink or a directory (non-empty ones with `recursive`) */
        delete: operations["deleteFile"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/files/list": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a directory in a VM */
        get: operations["listFiles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/files/mkdir": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a directory in a VM */
        post: operations["makeDirectory"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/files/move": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move or rename a path in a VM */
        post: operations["moveFile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/files/stat": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Describe one path in a VM */
        get: operations["statFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run a job: named steps in order in one VM, stopping at the first failure */
        post: operations["runJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause a running VM, keeping its memory
         * @description Freezes the VM where it stands (process: the cgroup freezer; docker: `docker pause`; qemu: QMP `stop`; firecracker: `PATCH /vm Paused`): its processes get no CPU but keep their memory, files and connections, and `POST /api/v1/vms/{id}/resume` lets them run on. With `hibernate=true` (qemu, firecracker) the VM's memory and device state are saved beside its disk and its VMM ends, so the paused VM holds no RAM (`hibernated_at` says so); resume wakes it from that state. Commands are refused with 409 `ERR_VM_NOT_RUNNING` while it is paused; it can still be stopped (a stop drops the saved memory) or deleted. A VM that is not running answers 409 `ERR_INVALID_TRANSITION`; `hibernate` on a driver that cannot answers 400 `ERR_VALIDATION`; a driver that cannot pause fails the task with `ERR_UNSUPPORTED`.
         */
        post: operations["pauseVm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/ports/{port}/connect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A TCP connection to a port inside a VM (WebSocket), as `aether port-forward` uses
         * @description Upgrade to a WebSocket whose binary frames are the bytes of a TCP connection to `127.0.0.1:<port>` inside the VM, opened by its guest agent (the VM needs no network). The socket closes when the app closes the connection; closing the socket closes it. 502 `ERR_PORT_UNREACHABLE` before the upgrade when nothing listens there; idle connections close after `AETHER_TUNNEL_IDLE_TIMEOUT_MS`.
         */
        get: operations["connectPort"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/previews": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a VM's preview URLs (never their tokens) */
        get: operations["listPreviews"];
        put?: never;
        /**
         * Make a preview URL of a port inside a VM (the token is shown once)
         * @description Anyone holding the URL reaches the app listening on `127.0.0.1:<port>` inside the VM (which needs no network) until it expires or is revoked; see docs/ports.md. The VM need not run yet; requests through the URL answer 409 `ERR_VM_NOT_RUNNING` while it does not, 502 `ERR_PORT_UNREACHABLE` while nothing listens on the port.
         */
        post: operations["createPreview"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/previews/{preview_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke a preview URL at once
         * @description Requests bringing its token answer 404 `ERR_PREVIEW_NOT_FOUND` from then on, on every gateway.
         */
        delete: operations["revokePreview"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/processes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A VM's running executions with their pids (what `aether ps` shows)
         * @description Asked of the worker that owns the VM, so it shows what runs now, with pids.
         */
        get: operations["listProcesses"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a paused VM
         * @description Lets a paused VM run on from where it stood. A VM that is not paused answers 409 `ERR_INVALID_TRANSITION`.
         */
        post: operations["resumeVm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/snapshots": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Snapshot a running VM
         * @description Pauses the VM, saves its memory, devices and disk, and resumes it. Create VMs from the snapshot with `from_snapshot` on `POST /api/v1/vms`. Drivers that cannot answer 400 with the field `snapshot`.
         */
        post: operations["snapshotVm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a stopped VM again
         * @description Boots the VM on the worker that holds its files, which are as the stop left them. Its idle timeout starts over, and so does a lifetime that ran out while it was stopped. A VM that is not stopped answers 409 `ERR_INVALID_TRANSITION`.
         */
        post: operations["startVm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stop a running VM, keeping its files
         * @description Ends the VM's processes (process: the sandbox; docker: the container; microVMs: the VMM) and keeps its disk; `POST /api/v1/vms/{id}/start` boots it again. Commands are refused with 409 `ERR_VM_NOT_RUNNING` while it is stopped. A VM that is not running answers 409 `ERR_INVALID_TRANSITION`.
         */
        post: operations["stopVm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/terminals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A VM's terminal sessions (running, and ended in the last minute) */
        get: operations["listTerminals"];
        put?: never;
        /**
         * Start a command on a terminal in a VM (default: a login shell)
         * @description The command runs on a pseudo-terminal in the VM, held by the worker that owns the VM, whether or not a client is attached: attach with `GET /api/v1/vms/{id}/terminals/{terminal_id}/attach` (WebSocket). When the last client detaches the session waits `AETHER_TERMINAL_DETACH_GRACE_MS` (default 10 minutes) for one to re-attach, then the command gets SIGHUP. 429 `ERR_TOO_MANY_STREAMS` when the VM holds as many terminals as a worker allows.
         */
        post: operations["openTerminal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/terminals/{terminal_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One terminal session */
        get: operations["getTerminal"];
        put?: never;
        post?: never;
        /** End a terminal session: its command gets SIGHUP, then SIGKILL after 5 s */
        delete: operations["closeTerminal"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/terminals/{terminal_id}/attach": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Attach to a terminal session (WebSocket)
         * @description Upgrade to a WebSocket. Binary frames carry bytes: typed input from the client, the terminal's output from the server, starting with a replay of its recent output (64 KiB), so a client re-attaching sees the screen. Text frames are JSON: `{"type":"resize","cols":C,"rows":R}` from the client; `{"type":"exit","exit_code":N,"signal":S}` from the server as its last message before it closes with 1000. A closed socket detaches; the session runs on. Browsers pass the key as `?access_token=`. An unknown session is a 404 before any upgrade.
         */
        get: operations["attachTerminal"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/terminals/{terminal_id}/resize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Set a terminal's size (the command gets SIGWINCH)
         * @description Attached clients can also send `{"type":"resize","cols":C,"rows":R}` on the socket.
         */
        post: operations["resizeTerminal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vms/{id}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What a running VM uses now: CPU time, memory, disk, processes
         * @description Read by the VM's driver on the worker that owns it; a figure the driver cannot read is null. A VM that is not running answers 409 `ERR_VM_NOT_RUNNING`.
         */
        get: operations["getVmUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List webhook subscriptions
         * @description The caller's project's; an admin sees every project's. Secrets are never listed.
         */
        get: operations["listWebhooks"];
        put?: never;
        /**
         * Subscribe a URL to events (the secret is shown once)
         * @description Events of the caller's project matching `events` are POSTed to `url`, signed with the secret (see docs/webhooks.md). A URL that is not http(s) or whose host resolves to an internal address answers 400 `ERR_WEBHOOK_URL_REFUSED`.
         */
        post: operations["createWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a webhook subscription and its delivery log */
        delete: operations["deleteWebhook"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a webhook's deliveries */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a delivery again
         * @description Queues the same event as a new delivery (a new `X-Aether-Delivery` id), due at once.
         */
        post: operations["redeliverWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{integration}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Receive a GitHub or Slack webhook
         * @description No API key: the body must be signed by the integration (GitHub `X-Hub-Signature-256`; Slack `X-Slack-Signature` over `v0:timestamp:body` within 5 minutes). Unsigned, mis-signed or stale requests answer 401, replayed deliveries 409; neither does anything. The body is taken as sent (JSON from GitHub, a form from Slack) and work it starts runs in the background.
         */
        post: operations["receiveWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List workers: host, drivers, capacity, load, heartbeat */
        get: operations["listWorkers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a worker */
        get: operations["getWorker"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics of this node (admin only)
         * @description Outside the versioned API, where scrapers look. Prometheus text exposition format 0.0.4 (`text/plain; version=0.0.4`); Prometheus sends an admin key as its bearer token.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ApiError: {
            /**
             * @description Stable error code; the full list is in src/core/errors.ts
             * @enum {string}
             */
            code: "ERR_VALIDATION" | "ERR_BAD_JSON" | "ERR_BODY_TOO_LARGE" | "ERR_NOT_FOUND" | "ERR_UNAUTHENTICATED" | "ERR_FORBIDDEN" | "ERR_QUOTA_EXCEEDED" | "ERR_RATE_LIMITED" | "ERR_REQUEST_TIMEOUT" | "ERR_KEY_NOT_FOUND" | "ERR_VM_NOT_FOUND" | "ERR_TASK_NOT_FOUND" | "ERR_EXECUTION_NOT_FOUND" | "ERR_JOB_NOT_FOUND" | "ERR_SNAPSHOT_NOT_FOUND" | "ERR_SNAPSHOT_NOT_READY" | "ERR_SNAPSHOT_IN_USE" | "ERR_VM_NAME_TAKEN" | "ERR_VM_NAME_AMBIGUOUS" | "ERR_VM_NOT_RUNNING" | "ERR_INVALID_TRANSITION" | "ERR_DRIVER_UNKNOWN" | "ERR_NO_WORKER" | "ERR_UNSUPPORTED" | "ERR_EXEC_SPAWN_FAILED" | "ERR_EXEC_TIMEOUT" | "ERR_TASK_TIMEOUT" | "ERR_TASK_CANCELLED" | "ERR_TASK_INTERRUPTED" | "ERR_TASK_NOT_STARTED" | "ERR_WAIT_TIMEOUT" | "ERR_VM_BOOT_TIMEOUT" | "ERR_VM_LOST" | "ERR_VM_FAILED" | "ERR_WORKER_LOST" | "ERR_STALE_ATTEMPT" | "ERR_WORKER_DRAINING" | "ERR_SHUTTING_DOWN" | "ERR_AGENT_UNREACHABLE" | "ERR_AGENT_PROTOCOL" | "ERR_ISOLATION_UNAVAILABLE" | "ERR_DRIVER_FAILED" | "ERR_FIRECRACKER_FAULT" | "ERR_PREFLIGHT_FAILED" | "ERR_IMAGE_BUILD_FAILED" | "ERR_HOST_TOOL_MISSING" | "ERR_KERNEL_CONFIG" | "ERR_NETWORK_UNAVAILABLE" | "ERR_NETWORK_EXHAUSTED" | "ERR_IMAGE_NOT_FOUND" | "ERR_VM_OUT_OF_MEMORY" | "ERR_TOOL_UNAVAILABLE" | "ERR_TOOL_NEEDS_NETWORK" | "ERR_TOOL_INSTALL_TIMEOUT" | "ERR_TOOL_INSTALL_FAILED" | "ERR_STORE_UNAVAILABLE" | "ERR_QUEUE_UNAVAILABLE" | "ERR_LOGS_UNAVAILABLE" | "ERR_WEBHOOK_UNVERIFIED" | "ERR_WEBHOOK_REPLAYED" | "ERR_WEBHOOK_NOT_FOUND" | "ERR_WEBHOOK_DELIVERY_NOT_FOUND" | "ERR_WEBHOOK_URL_REFUSED" | "ERR_INTEGRATION_FAILED" | "ERR_CONFIG" | "ERR_INTERNAL" | "ERR_FILE_NOT_FOUND" | "ERR_NOT_A_DIRECTORY" | "ERR_IS_A_DIRECTORY" | "ERR_PERMISSION_DENIED" | "ERR_FILE_EXISTS" | "ERR_DIRECTORY_NOT_EMPTY" | "ERR_VM_DISK_FULL" | "ERR_TRANSFER_ABORTED" | "ERR_EXECUTION_NOT_RUNNING" | "ERR_PORT_UNREACHABLE" | "ERR_TERMINAL_NOT_FOUND" | "ERR_PREVIEW_EXPIRED" | "ERR_PREVIEW_NOT_FOUND" | "ERR_TOO_MANY_STREAMS" | "ERR_CSRF";
            details?: {
                [key: string]: unknown;
            };
            message: string;
            /** @description Whether the same request may succeed if sent again */
            retryable: boolean;
        };
        /** @description An API key as listed: never the key itself */
        ApiKey: {
            admin: boolean;
            created_at: string;
            expires_at: string | null;
            id: string;
            name: string;
            project: string;
            revoked_at: string | null;
            /** @enum {string} */
            state: "active" | "expired" | "revoked";
        };
        ApiKeyList: {
            keys: components["schemas"]["ApiKey"][];
        };
        ComponentHealth: {
            latency_ms?: number;
            message: string;
            ok: boolean;
        };
        CreatedKey: {
            key: components["schemas"]["ApiKey"];
            /** @description The key: send it as "Authorization: Bearer <secret>". Shown only here. */
            secret: string;
        };
        CreatedPreview: {
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            created_at: string;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            expires_at: string;
            /** Format: uuid */
            id: string;
            port: number;
            /** @description The credential inside the URL. Shown only here. */
            token: string;
            /** @description The URL to open: `<public url>/preview/<token>/`, or with a preview domain `https://<port>-<vm id>.<domain>/?aether_token=<token>` */
            url: string;
            /** Format: uuid */
            vm_id: string;
        };
        CreatedWebhook: {
            /** @description The HMAC-SHA256 key deliveries are signed with (X-Aether-Signature). Shown only here. */
            secret: string;
            webhook: components["schemas"]["Webhook"];
        };
        /**
         * @description A VM driver of this build, with the optional features it offers: `process` (no optional features), `docker` (image, network), `qemu` (image, network, snapshot, hibernate), `firecracker` (image, network, snapshot, hibernate)
         * @enum {string}
         */
        DriverName: "process" | "docker" | "qemu" | "firecracker";
        /**
         * @description A VM driver of this build, with the optional features it offers: `process` (no optional features), `docker` (image, network), `qemu` (image, network, snapshot, hibernate), `firecracker` (image, network, snapshot, hibernate)
         * @enum {string}
         */
        DriverNameInput: "process" | "docker" | "qemu" | "firecracker";
        /** @description An error: its stable code, a message and whether to retry */
        ErrorBody: {
            error: components["schemas"]["ApiError"];
        };
        /** @description The stream failed and ends: the gateway is closing (`ERR_SHUTTING_DOWN`), the client read too slowly (`ERR_RATE_LIMITED`), or the store is unreachable. Reconnect, then read the lists again */
        EventStreamError: {
            /**
             * @description Stable error code; the full list is in src/core/errors.ts
             * @enum {string}
             */
            code: "ERR_VALIDATION" | "ERR_BAD_JSON" | "ERR_BODY_TOO_LARGE" | "ERR_NOT_FOUND" | "ERR_UNAUTHENTICATED" | "ERR_FORBIDDEN" | "ERR_QUOTA_EXCEEDED" | "ERR_RATE_LIMITED" | "ERR_REQUEST_TIMEOUT" | "ERR_KEY_NOT_FOUND" | "ERR_VM_NOT_FOUND" | "ERR_TASK_NOT_FOUND" | "ERR_EXECUTION_NOT_FOUND" | "ERR_JOB_NOT_FOUND" | "ERR_SNAPSHOT_NOT_FOUND" | "ERR_SNAPSHOT_NOT_READY" | "ERR_SNAPSHOT_IN_USE" | "ERR_VM_NAME_TAKEN" | "ERR_VM_NAME_AMBIGUOUS" | "ERR_VM_NOT_RUNNING" | "ERR_INVALID_TRANSITION" | "ERR_DRIVER_UNKNOWN" | "ERR_NO_WORKER" | "ERR_UNSUPPORTED" | "ERR_EXEC_SPAWN_FAILED" | "ERR_EXEC_TIMEOUT" | "ERR_TASK_TIMEOUT" | "ERR_TASK_CANCELLED" | "ERR_TASK_INTERRUPTED" | "ERR_TASK_NOT_STARTED" | "ERR_WAIT_TIMEOUT" | "ERR_VM_BOOT_TIMEOUT" | "ERR_VM_LOST" | "ERR_VM_FAILED" | "ERR_WORKER_LOST" | "ERR_STALE_ATTEMPT" | "ERR_WORKER_DRAINING" | "ERR_SHUTTING_DOWN" | "ERR_AGENT_UNREACHABLE" | "ERR_AGENT_PROTOCOL" | "ERR_ISOLATION_UNAVAILABLE" | "ERR_DRIVER_FAILED" | "ERR_FIRECRACKER_FAULT" | "ERR_PREFLIGHT_FAILED" | "ERR_IMAGE_BUILD_FAILED" | "ERR_HOST_TOOL_MISSING" | "ERR_KERNEL_CONFIG" | "ERR_NETWORK_UNAVAILABLE" | "ERR_NETWORK_EXHAUSTED" | "ERR_IMAGE_NOT_FOUND" | "ERR_VM_OUT_OF_MEMORY" | "ERR_TOOL_UNAVAILABLE" | "ERR_TOOL_NEEDS_NETWORK" | "ERR_TOOL_INSTALL_TIMEOUT" | "ERR_TOOL_INSTALL_FAILED" | "ERR_STORE_UNAVAILABLE" | "ERR_QUEUE_UNAVAILABLE" | "ERR_LOGS_UNAVAILABLE" | "ERR_WEBHOOK_UNVERIFIED" | "ERR_WEBHOOK_REPLAYED" | "ERR_WEBHOOK_NOT_FOUND" | "ERR_WEBHOOK_DELIVERY_NOT_FOUND" | "ERR_WEBHOOK_URL_REFUSED" | "ERR_INTEGRATION_FAILED" | "ERR_CONFIG" | "ERR_INTERNAL" | "ERR_FILE_NOT_FOUND" | "ERR_NOT_A_DIRECTORY" | "ERR_IS_A_DIRECTORY" | "ERR_PERMISSION_DENIED" | "ERR_FILE_EXISTS" | "ERR_DIRECTORY_NOT_EMPTY" | "ERR_VM_DISK_FULL" | "ERR_TRANSFER_ABORTED" | "ERR_EXECUTION_NOT_RUNNING" | "ERR_PORT_UNREACHABLE" | "ERR_TERMINAL_NOT_FOUND" | "ERR_PREVIEW_EXPIRED" | "ERR_PREVIEW_NOT_FOUND" | "ERR_TOO_MANY_STREAMS" | "ERR_CSRF";
            details?: {
                [key: string]: unknown;
            };
            message: string;
            /** @description Whether the same request may succeed if sent again */
            retryable: boolean;
            /** @enum {string} */
            type: "error";
        };
        /** @description `ready` first, then one message per change the caller may see, in the order the gateway heard them; an `error` ends the stream. Over WebSocket each is a JSON text frame; over SSE each is an event named by its type */
        EventStreamMessage: components["schemas"]["EventStreamReady"] | components["schemas"]["EventStreamVm"] | components["schemas"]["EventStreamTask"] | components["schemas"]["EventStreamWorker"] | components["schemas"]["EventStreamError"];
        /** @description The first message: every change from now on is sent, so lists read after it miss nothing */
        EventStreamReady: {
            /** @enum {string} */
            type: "ready";
        };
        /** @description A task's status changed */
        EventStreamTask: {
            /**
             * Format: date-time
             * @description When the gateway heard of the change
             */
            at: string;
            /**
             * @description Why it failed, when it did
             * @enum {string|null}
             */
            error_code: "ERR_VALIDATION" | "ERR_BAD_JSON" | "ERR_BODY_TOO_LARGE" | "ERR_NOT_FOUND" | "ERR_UNAUTHENTICATED" | "ERR_FORBIDDEN" | "ERR_QUOTA_EXCEEDED" | "ERR_RATE_LIMITED" | "ERR_REQUEST_TIMEOUT" | "ERR_KEY_NOT_FOUND" | "ERR_VM_NOT_FOUND" | "ERR_TASK_NOT_FOUND" | "ERR_EXECUTION_NOT_FOUND" | "ERR_JOB_NOT_FOUND" | "ERR_SNAPSHOT_NOT_FOUND" | "ERR_SNAPSHOT_NOT_READY" | "ERR_SNAPSHOT_IN_USE" | "ERR_VM_NAME_TAKEN" | "ERR_VM_NAME_AMBIGUOUS" | "ERR_VM_NOT_RUNNING" | "ERR_INVALID_TRANSITION" | "ERR_DRIVER_UNKNOWN" | "ERR_NO_WORKER" | "ERR_UNSUPPORTED" | "ERR_EXEC_SPAWN_FAILED" | "ERR_EXEC_TIMEOUT" | "ERR_TASK_TIMEOUT" | "ERR_TASK_CANCELLED" | "ERR_TASK_INTERRUPTED" | "ERR_TASK_NOT_STARTED" | "ERR_WAIT_TIMEOUT" | "ERR_VM_BOOT_TIMEOUT" | "ERR_VM_LOST" | "ERR_VM_FAILED" | "ERR_WORKER_LOST" | "ERR_STALE_ATTEMPT" | "ERR_WORKER_DRAINING" | "ERR_SHUTTING_DOWN" | "ERR_AGENT_UNREACHABLE" | "ERR_AGENT_PROTOCOL" | "ERR_ISOLATION_UNAVAILABLE" | "ERR_DRIVER_FAILED" | "ERR_FIRECRACKER_FAULT" | "ERR_PREFLIGHT_FAILED" | "ERR_IMAGE_BUILD_FAILED" | "ERR_HOST_TOOL_MISSING" | "ERR_KERNEL_CONFIG" | "ERR_NETWORK_UNAVAILABLE" | "ERR_NETWORK_EXHAUSTED" | "ERR_IMAGE_NOT_FOUND" | "ERR_VM_OUT_OF_MEMORY" | "ERR_TOOL_UNAVAILABLE" | "ERR_TOOL_NEEDS_NETWORK" | "ERR_TOOL_INSTALL_TIMEOUT" | "ERR_TOOL_INSTALL_FAILED" | "ERR_STORE_UNAVAILABLE" | "ERR_QUEUE_UNAVAILABLE" | "ERR_LOGS_UNAVAILABLE" | "ERR_WEBHOOK_UNVERIFIED" | "ERR_WEBHOOK_REPLAYED" | "ERR_WEBHOOK_NOT_FOUND" | "ERR_WEBHOOK_DELIVERY_NOT_FOUND" | "ERR_WEBHOOK_URL_REFUSED" | "ERR_INTEGRATION_FAILED" | "ERR_CONFIG" | "ERR_INTERNAL" | "ERR_FILE_NOT_FOUND" | "ERR_NOT_A_DIRECTORY" | "ERR_IS_A_DIRECTORY" | "ERR_PERMISSION_DENIED" | "ERR_FILE_EXISTS" | "ERR_DIRECTORY_NOT_EMPTY" | "ERR_VM_DISK_FULL" | "ERR_TRANSFER_ABORTED" | "ERR_EXECUTION_NOT_RUNNING" | "ERR_PORT_UNREACHABLE" | "ERR_TERMINAL_NOT_FOUND" | "ERR_PREVIEW_EXPIRED" | "ERR_PREVIEW_NOT_FOUND" | "ERR_TOO_MANY_STREAMS" | "ERR_CSRF" | null;
            /** @enum {string} */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            task_id: string;
            /** @enum {string} */
            task_type: "vm:create" | "vm:execute" | "vm:delete" | "job:run" | "vm:snapshot" | "snapshot:delete" | "vm:stop" | "vm:start" | "vm:pause" | "vm:resume";
            /** @enum {string} */
            type: "task";
            /** @description The VM the task is about, if any */
            vm_id: string | null;
        };
        /** @description A VM's status changed */
        EventStreamVm: {
            /**
             * Format: date-time
             * @description When the gateway heard of the change
             */
            at: string;
            /** @description Why it changed (`create started`, `user: stop`, `ttl: 1h`, ...) */
            reason: string;
            /** @enum {string} */
            status: "pending" | "creating" | "running" | "paused" | "stopping" | "stopped" | "deleted" | "failed" | "lost";
            /** @enum {string} */
            type: "vm";
            vm_id: string;
        };
        /** @description A worker joined or left the cluster (admins only) */
        EventStreamWorker: {
            /**
             * Format: date-time
             * @description When the gateway heard of the change
             */
            at: string;
            /** @enum {string} */
            event: "joined" | "left";
            /** @description Why it left */
            reason?: string;
            /**
             * @description How it left: stopped, or declared dead
             * @enum {string}
             */
            status?: "stopped" | "dead";
            /** @enum {string} */
            type: "worker";
            worker_id: string;
        };
        ExecuteAccepted: {
            /** Format: uuid */
            execution_id: string;
            /**
             * @description The task's status when the answer was written
             * @enum {string}
             */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            /** Format: uuid */
            task_id: string;
            /** @description The command's time limit in ms: the `timeout_ms` asked for, or the gateway's default */
            timeout_ms: number;
            /**
             * Format: uuid
             * @description The VM it runs in (its id, also when the path named the VM by name)
             */
            vm_id: string;
        };
        ExecuteDone: {
            execution: components["schemas"]["Execution"];
            /** Format: uuid */
            execution_id: string;
            /**
             * @description The task's status when the answer was written
             * @enum {string}
             */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            task: components["schemas"]["Task"];
            /** Format: uuid */
            task_id: string;
            /** @description The command's time limit in ms: the `timeout_ms` asked for, or the gateway's default */
            timeout_ms: number;
            /**
             * Format: uuid
             * @description The VM it runs in (its id, also when the path named the VM by name)
             */
            vm_id: string;
        };
        /** @description The command failed (with `?wait`), or the request was refused */
        ExecuteError: components["schemas"]["ExecuteFailed"] | components["schemas"]["ErrorBody"];
        ExecuteFailed: {
            error: components["schemas"]["ApiError"];
            execution: components["schemas"]["Execution"];
            /** Format: uuid */
            execution_id: string;
            /**
             * @description The task's status when the answer was written
             * @enum {string}
             */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            task: components["schemas"]["Task"];
            /** Format: uuid */
            task_id: string;
            /** @description The command's time limit in ms: the `timeout_ms` asked for, or the gateway's default */
            timeout_ms: number;
            /**
             * Format: uuid
             * @description The VM it runs in (its id, also when the path named the VM by name)
             */
            vm_id: string;
        };
        /** @description One command run in a VM, with its (capped) output */
        Execution: {
            args: string[];
            command: string;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            completed_at: string | null;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            created_at: string;
            cwd: string | null;
            duration_ms: number | null;
            env: {
                [key: string]: string;
            };
            error: components["schemas"]["ApiError"] | null;
            exit_code: number | null;
            /** Format: uuid */
            id: string;
            job_id: string | null;
            /**
             * @description `signalled`: ended by a signal before its time limit (`signal` says which). `unknown`: its worker died or stopped mid-run; it may have had effects and was not run again. `not_started`: its worker died or stopped before taking it; nothing ran, so it is safe to submit again
             * @enum {string}
             */
            outcome: "pending" | "running" | "exited" | "timed_out" | "signalled" | "failed" | "cancelled" | "unknown" | "not_started";
            /** @description The project that owns it */
            project: string;
            /** @description The signal that ended the command (`SIGTERM`, `SIGKILL`...), null when it exited or still runs */
            signal: string | null;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            started_at: string | null;
            stderr: string;
            stderr_truncated: boolean;
            stdout: string;
            stdout_truncated: boolean;
            task_id: string | null;
            timed_out: boolean;
            vm_id: string;
        };
        /** @description Executions completed within one minute */
        ExecutionBucket: {
            /**
             * Format: date-time
             * @description The minute's start
             */
            at: string;
            count: number;
            failed: number;
            p50_ms: number | null;
            p99_ms: number | null;
        };
        /** @description Newest first */
        ExecutionList: {
            executions: components["schemas"]["Execution"][];
        };
        ExecutionStreamChunk: {
            /** @description The bytes exactly as the command wrote them, base64-encoded (output may be binary) */
            data: string;
            /** @description Where the chunk starts within its stream, in bytes */
            offset: number;
            /** @description Order among all the execution's chunks, both streams, from 1 with no gaps; resume after it */
            seq: number;
            /** @enum {string} */
            stream: "stdout" | "stderr";
            /** @enum {string} */
            type: "chunk";
        };
        ExecutionStreamError: {
            /**
             * @description Stable error code; the full list is in src/core/errors.ts
             * @enum {string}
             */
            code: "ERR_VALIDATION" | "ERR_BAD_JSON" | "ERR_BODY_TOO_LARGE" | "ERR_NOT_FOUND" | "ERR_UNAUTHENTICATED" | "ERR_FORBIDDEN" | "ERR_QUOTA_EXCEEDED" | "ERR_RATE_LIMITED" | "ERR_REQUEST_TIMEOUT" | "ERR_KEY_NOT_FOUND" | "ERR_VM_NOT_FOUND" | "ERR_TASK_NOT_FOUND" | "ERR_EXECUTION_NOT_FOUND" | "ERR_JOB_NOT_FOUND" | "ERR_SNAPSHOT_NOT_FOUND" | "ERR_SNAPSHOT_NOT_READY" | "ERR_SNAPSHOT_IN_USE" | "ERR_VM_NAME_TAKEN" | "ERR_VM_NAME_AMBIGUOUS" | "ERR_VM_NOT_RUNNING" | "ERR_INVALID_TRANSITION" | "ERR_DRIVER_UNKNOWN" | "ERR_NO_WORKER" | "ERR_UNSUPPORTED" | "ERR_EXEC_SPAWN_FAILED" | "ERR_EXEC_TIMEOUT" | "ERR_TASK_TIMEOUT" | "ERR_TASK_CANCELLED" | "ERR_TASK_INTERRUPTED" | "ERR_TASK_NOT_STARTED" | "ERR_WAIT_TIMEOUT" | "ERR_VM_BOOT_TIMEOUT" | "ERR_VM_LOST" | "ERR_VM_FAILED" | "ERR_WORKER_LOST" | "ERR_STALE_ATTEMPT" | "ERR_WORKER_DRAINING" | "ERR_SHUTTING_DOWN" | "ERR_AGENT_UNREACHABLE" | "ERR_AGENT_PROTOCOL" | "ERR_ISOLATION_UNAVAILABLE" | "ERR_DRIVER_FAILED" | "ERR_FIRECRACKER_FAULT" | "ERR_PREFLIGHT_FAILED" | "ERR_IMAGE_BUILD_FAILED" | "ERR_HOST_TOOL_MISSING" | "ERR_KERNEL_CONFIG" | "ERR_NETWORK_UNAVAILABLE" | "ERR_NETWORK_EXHAUSTED" | "ERR_IMAGE_NOT_FOUND" | "ERR_VM_OUT_OF_MEMORY" | "ERR_TOOL_UNAVAILABLE" | "ERR_TOOL_NEEDS_NETWORK" | "ERR_TOOL_INSTALL_TIMEOUT" | "ERR_TOOL_INSTALL_FAILED" | "ERR_STORE_UNAVAILABLE" | "ERR_QUEUE_UNAVAILABLE" | "ERR_LOGS_UNAVAILABLE" | "ERR_WEBHOOK_UNVERIFIED" | "ERR_WEBHOOK_REPLAYED" | "ERR_WEBHOOK_NOT_FOUND" | "ERR_WEBHOOK_DELIVERY_NOT_FOUND" | "ERR_WEBHOOK_URL_REFUSED" | "ERR_INTEGRATION_FAILED" | "ERR_CONFIG" | "ERR_INTERNAL" | "ERR_FILE_NOT_FOUND" | "ERR_NOT_A_DIRECTORY" | "ERR_IS_A_DIRECTORY" | "ERR_PERMISSION_DENIED" | "ERR_FILE_EXISTS" | "ERR_DIRECTORY_NOT_EMPTY" | "ERR_VM_DISK_FULL" | "ERR_TRANSFER_ABORTED" | "ERR_EXECUTION_NOT_RUNNING" | "ERR_PORT_UNREACHABLE" | "ERR_TERMINAL_NOT_FOUND" | "ERR_PREVIEW_EXPIRED" | "ERR_PREVIEW_NOT_FOUND" | "ERR_TOO_MANY_STREAMS" | "ERR_CSRF";
            details?: {
                [key: string]: unknown;
            };
            message: string;
            /** @description Whether the same request may succeed if sent again */
            retryable: boolean;
            /**
             * @description `execution`: what became of the command (final); `stream`: this stream failed (gateway closing, store unreachable): reconnect with `after_seq`
             * @enum {string}
             */
            scope: "execution" | "stream";
            /** @enum {string} */
            type: "error";
        };
        ExecutionStreamExit: {
            execution: components["schemas"]["Execution"];
            /** @description Null when the command was killed (timeout, signal) */
            exit_code: number | null;
            timed_out: boolean;
            /** @enum {string} */
            type: "exit";
        };
        /** @description First `task`, then `stdout`/`stderr` chunks as they happen, last `exit` or `error` */
        ExecutionStreamLine: {
            /** Format: uuid */
            execution_id: string;
            /** Format: uuid */
            task_id: string;
            /** @enum {string} */
            type: "task";
        } | {
            data: string;
            /** @enum {string} */
            type: "stdout" | "stderr";
        } | {
            execution: components["schemas"]["Execution"];
            exit_code: number | null;
            timed_out: boolean;
            /** @enum {string} */
            type: "exit";
        } | {
            error: components["schemas"]["ApiError"];
            /** @enum {string} */
            type: "error";
        };
        /** @description `chunk` messages in `seq` order, then one `exit` or `error`, then the stream closes. Over WebSocket each is a JSON text frame; over SSE each is an event named by its type whose data is the JSON (chunks carry `id: seq`) */
        ExecutionStreamMessage: components["schemas"]["ExecutionStreamChunk"] | components["schemas"]["ExecutionStreamExit"] | components["schemas"]["ExecutionStreamError"];
        /** @description A failed task or execution */
        Failure: {
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            at: string;
            /** @description The error code; null for a command that ran and failed */
            code: string | null;
            id: string;
            /** @enum {string} */
            kind: "task" | "execution";
            /** @description The error's message, or how the command ended (`exit code 2`, `timed out`…) */
            message: string | null;
            /** @description The task's type (`vm:create`…), or `execute` for an execution */
            type: string;
            vm_id: string | null;
        };
        /** @description One path inside a VM (a symlink is shown as itself) */
        FsEntry: {
            /** @description Permission bits (e.g. 420 = 0o644) */
            mode: number;
            /** @description Last modification, ISO 8601 */
            mtime: string;
            /** @description Base name (stat), or the path relative to the listed directory (list) */
            name: string;
            size: number;
            /** @description For a symlink: what it points to */
            target?: string;
            /** @enum {string} */
            type: "file" | "directory" | "symlink" | "other";
        };
        FsListing: {
            entries: components["schemas"]["FsEntry"][];
            /** @description More entries exist than one answer carries (10 000) */
            truncated: boolean;
        };
        /** @description Liveness: the gateway serves HTTP (always 200), with what each component it reports saw */
        Health: {
            /** @description The same components, each with its detail; a check that takes over 500 ms is unhealthy */
            checks: {
                [key: string]: components["schemas"]["HealthCheck"];
            };
            /** @description Each component, as the original system named and reported them: `store`, `queue`, `event_bus`, `workers` (an active worker that takes vm:create), `loki` when logs go to Loki, and each enabled integration (`github`, `slack`) */
            components: {
                [key: string]: "healthy" | "unhealthy";
            };
            /** @description Each enabled integration (`github`, `slack`) as it last saw itself (configuration, its last calls out); absent when none is enabled */
            integrations?: {
                [key: string]: components["schemas"]["ComponentHealth"];
            };
            /**
             * @description `ok` when every component is healthy, else `degraded`. The answer is 200 either way: the gateway serves, which is what liveness asks; `/ready` is the probe that answers 503
             * @enum {string}
             */
            status: "ok" | "degraded";
            /**
             * Format: date-time
             * @description When the components were checked (checks are shared for a second)
             */
            timestamp: string;
            version: string;
        };
        HealthCheck: {
            /** @description What the check saw: a backend kind, a count, or why it failed */
            detail: string;
            /** @description How long the check took, where it called out */
            latency_ms?: number;
            /** @enum {string} */
            status: "healthy" | "unhealthy";
        };
        /** @description Each enabled integration: its health and recent deliveries */
        IntegrationList: {
            integrations: components["schemas"]["IntegrationStatus"][];
        };
        IntegrationStatus: {
            /** @description This gateway process's latest, newest first */
            deliveries: components["schemas"]["WebhookReceipt"][];
            message: string;
            name: string;
            ok: boolean;
        };
        /** @description Named steps run in order in one VM, and the result of each step run */
        Job: {
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            created_at: string;
            /** Format: uuid */
            id: string;
            name: string;
            /** @description The project that owns it */
            project: string;
            results: {
                error: components["schemas"]["ApiError"] | null;
                execution_id: string;
                exit_code: number | null;
            }[];
            /** @enum {string} */
            status: "pending" | "running" | "completed" | "failed" | "cancelled";
            steps: {
                args: string[];
                command: string;
                cwd: string | null;
                env: {
                    [key: string]: string;
                };
                timeout_ms: number;
            }[];
            task_id: string | null;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            updated_at: string;
            vm_id: string;
        };
        /** @description Newest first */
        JobList: {
            jobs: components["schemas"]["Job"][];
        };
        JobWriteAccepted: {
            job: components["schemas"]["Job"];
            /**
             * @description The task's status when the answer was written
             * @enum {string}
             */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            /** Format: uuid */
            task_id: string;
        };
        JobWriteDone: {
            job: components["schemas"]["Job"];
            /**
             * @description The task's status when the answer was written
             * @enum {string}
             */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            task: components["schemas"]["Task"];
            /** Format: uuid */
            task_id: string;
        };
        /** @description The job failed (with `?wait`), or the request was refused */
        JobWriteError: components["schemas"]["JobWriteFailed"] | components["schemas"]["ErrorBody"];
        JobWriteFailed: {
            error: components["schemas"]["ApiError"];
            job: components["schemas"]["Job"];
            /**
             * @description The task's status when the answer was written
             * @enum {string}
             */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            task: components["schemas"]["Task"];
            /** Format: uuid */
            task_id: string;
        };
        /** @description One log line of the platform, or one line of command output */
        LogLine: {
            execution_id: string | null;
            /** @description Everything else the line carried; command output has `stream` */
            fields: {
                [key: string]: unknown;
            };
            /** @description Tells apart lines of the same instant */
            id: string;
            /** @enum {string} */
            level: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
            message: string;
            /** @description The project whose resource it is about; null: the platform's own */
            project: string | null;
            /** @description The process role that wrote it: `up`, `gateway`, `worker` */
            service: string;
            task_id: string | null;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            time: string;
            vm_id: string | null;
            worker: string | null;
        };
        LogList: {
            lines: components["schemas"]["LogLine"][];
            /** @enum {string} */
            order: "desc" | "asc";
        };
        /** @description The tail failed (gateway closing, backend unreachable): reconnect */
        LogStreamError: {
            /**
             * @description Stable error code; the full list is in src/core/errors.ts
             * @enum {string}
             */
            code: "ERR_VALIDATION" | "ERR_BAD_JSON" | "ERR_BODY_TOO_LARGE" | "ERR_NOT_FOUND" | "ERR_UNAUTHENTICATED" | "ERR_FORBIDDEN" | "ERR_QUOTA_EXCEEDED" | "ERR_RATE_LIMITED" | "ERR_REQUEST_TIMEOUT" | "ERR_KEY_NOT_FOUND" | "ERR_VM_NOT_FOUND" | "ERR_TASK_NOT_FOUND" | "ERR_EXECUTION_NOT_FOUND" | "ERR_JOB_NOT_FOUND" | "ERR_SNAPSHOT_NOT_FOUND" | "ERR_SNAPSHOT_NOT_READY" | "ERR_SNAPSHOT_IN_USE" | "ERR_VM_NAME_TAKEN" | "ERR_VM_NAME_AMBIGUOUS" | "ERR_VM_NOT_RUNNING" | "ERR_INVALID_TRANSITION" | "ERR_DRIVER_UNKNOWN" | "ERR_NO_WORKER" | "ERR_UNSUPPORTED" | "ERR_EXEC_SPAWN_FAILED" | "ERR_EXEC_TIMEOUT" | "ERR_TASK_TIMEOUT" | "ERR_TASK_CANCELLED" | "ERR_TASK_INTERRUPTED" | "ERR_TASK_NOT_STARTED" | "ERR_WAIT_TIMEOUT" | "ERR_VM_BOOT_TIMEOUT" | "ERR_VM_LOST" | "ERR_VM_FAILED" | "ERR_WORKER_LOST" | "ERR_STALE_ATTEMPT" | "ERR_WORKER_DRAINING" | "ERR_SHUTTING_DOWN" | "ERR_AGENT_UNREACHABLE" | "ERR_AGENT_PROTOCOL" | "ERR_ISOLATION_UNAVAILABLE" | "ERR_DRIVER_FAILED" | "ERR_FIRECRACKER_FAULT" | "ERR_PREFLIGHT_FAILED" | "ERR_IMAGE_BUILD_FAILED" | "ERR_HOST_TOOL_MISSING" | "ERR_KERNEL_CONFIG" | "ERR_NETWORK_UNAVAILABLE" | "ERR_NETWORK_EXHAUSTED" | "ERR_IMAGE_NOT_FOUND" | "ERR_VM_OUT_OF_MEMORY" | "ERR_TOOL_UNAVAILABLE" | "ERR_TOOL_NEEDS_NETWORK" | "ERR_TOOL_INSTALL_TIMEOUT" | "ERR_TOOL_INSTALL_FAILED" | "ERR_STORE_UNAVAILABLE" | "ERR_QUEUE_UNAVAILABLE" | "ERR_LOGS_UNAVAILABLE" | "ERR_WEBHOOK_UNVERIFIED" | "ERR_WEBHOOK_REPLAYED" | "ERR_WEBHOOK_NOT_FOUND" | "ERR_WEBHOOK_DELIVERY_NOT_FOUND" | "ERR_WEBHOOK_URL_REFUSED" | "ERR_INTEGRATION_FAILED" | "ERR_CONFIG" | "ERR_INTERNAL" | "ERR_FILE_NOT_FOUND" | "ERR_NOT_A_DIRECTORY" | "ERR_IS_A_DIRECTORY" | "ERR_PERMISSION_DENIED" | "ERR_FILE_EXISTS" | "ERR_DIRECTORY_NOT_EMPTY" | "ERR_VM_DISK_FULL" | "ERR_TRANSFER_ABORTED" | "ERR_EXECUTION_NOT_RUNNING" | "ERR_PORT_UNREACHABLE" | "ERR_TERMINAL_NOT_FOUND" | "ERR_PREVIEW_EXPIRED" | "ERR_PREVIEW_NOT_FOUND" | "ERR_TOO_MANY_STREAMS" | "ERR_CSRF";
            details?: {
                [key: string]: unknown;
            };
            message: string;
            /** @description Whether the same request may succeed if sent again */
            retryable: boolean;
            /** @enum {string} */
            type: "error";
        };
        LogStreamLine: {
            line: components["schemas"]["LogLine"];
            /** @enum {string} */
            type: "line";
        };
        /** @description `line` messages oldest first (the backlog, then new lines as they are written); an `error` ends the stream. Over WebSocket each is a JSON text frame; over SSE each is an event named by its type */
        LogStreamMessage: components["schemas"]["LogStreamLine"] | components["schemas"]["LogStreamError"];
        /** @description Prometheus text exposition format 0.0.4 */
        MetricsText: string;
        Ok: {
            /** @enum {boolean} */
            ok: true;
        };
        /** @description This document (OpenAPI 3) */
        OpenApiDocument: {
            [key: string]: unknown;
        };
        /** @description The caller's VMs, executions and failures, with the queue and workers */
        Overview: {
            executions: {
                /** @description One per minute, oldest first, the last being the current minute; empty minutes are zeros */
                buckets: components["schemas"]["ExecutionBucket"][];
                count: number;
                /** @description Did not exit with code 0: a non-zero exit, a time-out, a signal or an error */
                failed: number;
                /** @description Median of `duration_ms` over the window; null when none */
                p50_ms: number | null;
                p99_ms: number | null;
                window_minutes: number;
            };
            /** @description The latest 20 of the last 24 h, newest first: failed tasks (but `vm:execute`, whose execution is listed) and executions that did not exit 0 */
            failures: components["schemas"]["Failure"][];
            /** @description Cluster-wide (the queue has no per-project split); null when the queue cannot be read now */
            queue: {
                /** @description Delivered to a worker and running */
                active: number;
                /** @description Retries waiting out their backoff */
                delayed: number;
                /** @description Summed over every queue name */
                depth: components["schemas"]["PriorityCounts"];
                /** @description Given up by the queue (the store holds why) */
                failed: number;
                /** @description Waiting to be delivered */
                waiting: number;
            } | null;
            vms: {
                /** @description Drivers that have VMs */
                by_driver: {
                    [key: string]: number;
                };
                /** @description Every status but `deleted`, zeros included */
                by_status: {
                    [key: string]: number;
                };
                /** @description VMs that are not deleted */
                total: number;
            };
            /** @description Workers heard from in the last 24 h; null for callers who are not admins */
            workers: components["schemas"]["WorkerSummary"][] | null;
        };
        /** @description A preview URL as listed: never its token */
        Preview: {
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            created_at: string;
            /** @description The API key id (or `jwt:<sub>`) that made it */
            created_by: string | null;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            expires_at: string;
            /** Format: uuid */
            id: string;
            port: number;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            revoked_at: string | null;
            /**
             * @description As of the answer
             * @enum {string}
             */
            state: "active" | "expired" | "revoked";
            /** Format: uuid */
            vm_id: string;
        };
        PreviewList: {
            /** @description Newest first, revoked and expired ones included */
            previews: components["schemas"]["Preview"][];
        };
        /** @description Tasks waiting to be delivered, by priority */
        PriorityCounts: {
            critical: number;
            default: number;
            high: number;
            low: number;
        };
        /** @description A VM's executions running now, as its worker sees them */
        ProcessList: {
            processes: {
                args: string[];
                command: string;
                execution_id: string;
                /** @description Inside the VM; null while the command is starting */
                pid: number | null;
                started_at: string | null;
            }[];
        };
        /** @description The task queue as it sees itself, across the cluster */
        QueueView: {
            /** @description Summed over every queue name */
            counts: {
                /** @description Delivered to a worker and running */
                active: number;
                /** @description Retries waiting out their backoff */
                delayed: number;
                /** @description Given up by the queue (the store holds why) */
                failed: number;
                /** @description Waiting to be delivered */
                waiting: number;
            };
            /** @description Waiting tasks by queue name and priority */
            depth: {
                [key: string]: components["schemas"]["PriorityCounts"];
            };
            /** @description `local`, `bullmq-redis`, `bullmq-postgres` or `bullmq-pglite` */
            kind: string;
        };
        /** @description Each component this gateway needs; 503 when any is not ok */
        Readiness: {
            /** @description `store`, `queue`, `events` and `workers` (an active worker that takes vm:create) */
            components: {
                [key: string]: components["schemas"]["ComponentHealth"];
            };
            /** @enum {string} */
            status: "ok" | "degraded";
            version: string;
        };
        /** @description Who a request acts as, and how it signed in */
        Session: {
            /** @description Sees every project and manages the platform */
            admin: boolean;
            /**
             * @description What authenticated this request: the session cookie, a bearer token (Authorization header or `access_token`), or nothing because auth is off
             * @enum {string}
             */
            credentials: "session" | "bearer" | "none";
            /** @description Send it as the `x-csrf-token` header on every POST, PUT and DELETE the session cookie authenticates; null when no cookie authenticated this request */
            csrf_token: string | null;
            /**
             * Format: date-time
             * @description When these credentials stop working: the session, or a bearer key or JWT (null: never)
             */
            expires_at: string | null;
            /** @description The API key signed in with; null for a JWT */
            key_id: string | null;
            /** @description The project the credential acts for */
            project: string;
            /** @description The API key's name, or the JWT's `sub` */
            subject: string;
        };
        /** @description A VM's memory, devices and disk saved at one instant */
        Snapshot: {
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            created_at: string;
            driver: components["schemas"]["DriverName"];
            /** Format: uuid */
            id: string;
            image: string | null;
            memory_mib: number;
            /** @description The project that owns it: the project of its source VM */
            project: string;
            size_bytes: number | null;
            /** Format: uuid */
            source_vm_id: string;
            /** @description Where the files are on the worker's host, once saved */
            state_path: string | null;
            /**
             * @description `pending` while saving; VMs start only from a `ready` one; `deleting`, then `deleted`, once deleted
             * @enum {string}
             */
            status: "pending" | "ready" | "failed" | "deleting" | "deleted";
            status_reason: string | null;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            updated_at: string;
            vcpus: number;
            /** @description The worker holding its files; VMs from it are created there */
            worker_id: string | null;
        };
        SnapshotList: {
            snapshots: components["schemas"]["Snapshot"][];
        };
        SnapshotWriteAccepted: {
            snapshot: components["schemas"]["Snapshot"];
            /**
             * @description The task's status when the answer was written
             * @enum {string}
             */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            /** Format: uuid */
            task_id: string;
        };
        SnapshotWriteDone: {
            snapshot: components["schemas"]["Snapshot"];
            /**
             * @description The task's status when the answer was written
             * @enum {string}
             */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            task: components["schemas"]["Task"];
            /** Format: uuid */
            task_id: string;
        };
        /** @description The save failed (with `?wait`), or the request was refused */
        SnapshotWriteError: components["schemas"]["SnapshotWriteFailed"] | components["schemas"]["ErrorBody"];
        SnapshotWriteFailed: {
            error: components["schemas"]["ApiError"];
            snapshot: components["schemas"]["Snapshot"];
            /**
             * @description The task's status when the answer was written
             * @enum {string}
             */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            task: components["schemas"]["Task"];
            /** Format: uuid */
            task_id: string;
        };
        StdinResult: {
            /** @description Bytes the command's stdin accepted */
            bytes: number;
        };
        /** @description A unit of queued work: create, execute, delete or a job */
        Task: {
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            completed_at: string | null;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            created_at: string;
            error: components["schemas"]["ApiError"] | null;
            /** @description Bumped by every claim of the task: how many attempts took it */
            fencing_token: number;
            /** Format: uuid */
            id: string;
            max_retries: number;
            payload: unknown;
            /** @enum {string} */
            priority: "critical" | "high" | "default" | "low";
            /** @description How far a running attempt has come, when it reports it */
            progress: components["schemas"]["TaskProgress"] | null;
            /** @description The project that owns it */
            project: string;
            /** @description What the task produced once completed; null before. Each key is there in camelCase (`vmId`, `exitCode`) and in snake_case (`vm_id`, `exit_code`); a `vm:execute` result names its VM (`vm_id`). `GET /tasks/{id}` adds what other records hold, as the original system returned it: `stdout` and `stderr` of a `vm:execute` (as stored, see the execution), `name` of the VM a `vm:create` made */
            result: unknown;
            retry_count: number;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            started_at: string | null;
            /** @enum {string} */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            status_reason: string | null;
            timeout_ms: number;
            /** @enum {string} */
            type: "vm:create" | "vm:execute" | "vm:delete" | "job:run" | "vm:snapshot" | "snapshot:delete" | "vm:stop" | "vm:start" | "vm:pause" | "vm:resume";
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            updated_at: string;
            vm_id: string | null;
            worker_id: string | null;
        };
        /** @description Newest first */
        TaskList: {
            tasks: components["schemas"]["Task"][];
        };
        TaskProgress: {
            /** @description The step under way, 1-based */
            current: number;
            /** @description The step's subject, e.g. a tool name */
            item: string | null;
            message: string;
            /** @description e.g. `tools` */
            phase: string;
            total: number;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            updated_at: string;
        };
        /** @description A terminal session: a command on a pseudo-terminal in a VM */
        Terminal: {
            /** @description Clients attached now */
            clients: number;
            cols: number;
            command: string[];
            /** @description ISO 8601 */
            created_at: string;
            /** @description Since when no client is attached (the session ends after the grace period); null while one is */
            detached_at: string | null;
            exit_code: number | null;
            id: string;
            rows: number;
            signal: string | null;
            /** @enum {string} */
            status: "running" | "exited";
            vm_id: string;
        };
        TerminalList: {
            terminals: components["schemas"]["Terminal"][];
        };
        /** @description A JSON text frame of a terminal socket (binary frames are bytes) */
        TerminalSocketMessage: {
            cols: number;
            rows: number;
            /** @enum {string} */
            type: "resize";
        } | {
            error?: string;
            exit_code: number | null;
            signal: string | null;
            /** @enum {string} */
            type: "exit";
        };
        UploadResult: {
            /** @description Bytes written */
            bytes: number;
            /** @description Files written (1 for a single file) */
            files: number;
            path: string;
        };
        /** @description A VM and what isolates it */
        Vm: {
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            created_at: string;
            driver: components["schemas"]["DriverName"];
            /**
             * Format: date-time
             * @description When the lifetime runs out (create + ttl, moved by extends); null: never
             */
            expires_at: string | null;
            /**
             * Format: date-time
             * @description When the paused VM's memory was saved to disk and its VMM ended (it holds no RAM until resumed); null otherwise
             */
            hibernated_at: string | null;
            /** Format: uuid */
            id: string;
            /**
             * Format: date-time
             * @description When the VM ends if no command runs until then (last activity + idle timeout); a running command holds it off. Null: no idle timeout
             */
            idle_expires_at: string | null;
            /** @description Seconds without a command running after which the VM ends; null: none */
            idle_timeout_seconds: number | null;
            /** @description Guest image (a Docker reference); null = the driver's default */
            image: string | null;
            /** @description What separates the VM from the host, as its driver reported it */
            isolation: {
                /** @enum {string} */
                kernel: "shared" | "dedicated";
                /** @description e.g. `namespaces`, `container`, `microvm-kvm`, `microvm-tcg` */
                level: string;
                /** @description The resource limits the driver holds the VM to; null where the driver does not say */
                limits: {
                    /** @description Size of the VM's home or disk; null = not limited by the driver */
                    disk_mib: number | null;
                    /** @description True when the VM's vcpus and memory_mib are hard limits (memory without swap: past it a process of the VM is killed, ERR_VM_OUT_OF_MEMORY, and the VM lives on), with the limits below */
                    enforced: boolean;
                    /** @description How they are enforced (`cgroup v1: …`), or why not */
                    mechanism: string;
                    /** @description Tasks (processes and threads) the VM may have; null = not limited */
                    pids: number | null;
                    /** @description Size of the VM's /tmp; null = not limited by the driver */
                    tmp_mib: number | null;
                } | null;
                summary: string;
            } | null;
            /** @description Key=value pairs to find it by; `{}` when none */
            labels: {
                [key: string]: string;
            };
            memory_mib: number;
            metadata: {
                [key: string]: unknown;
            };
            name: string;
            /** @description Outbound network access; false = loopback only */
            network: boolean;
            /**
             * @description What the VM becomes when a deadline passes: stopped, deleted, or paused (hibernated where the driver can; resuming it starts a fresh lifetime)
             * @enum {string}
             */
            on_expiry: "stop" | "delete" | "pause";
            /** @description The project that owns it */
            project: string;
            /** @description Restarts `on-failure` allows; 0 with `never` */
            restart_max: number;
            /**
             * @description What a death found by the health check leads to: `never` (the VM fails) or `on-failure` (it is restarted, files kept)
             * @enum {string}
             */
            restart_policy: "never" | "on-failure";
            /** @description Restarts after a death so far; never reset, not by a stop and start either. At `restart_max`, the next death fails the VM */
            restarts: number;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            started_at: string | null;
            /** @enum {string} */
            status: "pending" | "creating" | "running" | "paused" | "stopping" | "stopped" | "deleted" | "failed" | "lost";
            /** @description Why it reached its status, starting with a code where there is one: `worker_lost`; for a VM found dead, `agent_exited`, `agent_unresponsive`, `sandbox_exited`, `oom_killed` or `vmm_exited` */
            status_reason: string | null;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            stopped_at: string | null;
            /** @description Tools asked for and what the VM got; null for VMs made before tools were recorded */
            tools: components["schemas"]["VmTools"] | null;
            /** @description Lifetime asked for at create, in seconds; null: none */
            ttl_seconds: number | null;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            updated_at: string;
            vcpus: number;
            /** @description The worker that owns it, once created */
            worker_id: string | null;
        };
        /** @description One change of a VM's status */
        VmEvent: {
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            at: string;
            /** @description null for the first recorded status */
            from_status: string | null;
            /** @description Why, starting with a code where there is one (`user: stop requested`…) */
            reason: string;
            to_status: string;
        };
        /** @description Oldest first */
        VmEventList: {
            events: components["schemas"]["VmEvent"][];
        };
        VmList: {
            vms: components["schemas"]["Vm"][];
        };
        VmTools: {
            installed: {
                name: string;
                /**
                 * @description `image`: the VM had it already; otherwise the source it was installed from
                 * @enum {string}
                 */
                origin: "image" | "debian" | "npm" | "mise";
                /** @description What the tool's version command printed */
                version: string;
            }[];
            /** @description Default tools the VM could not get (a requested tool fails the create instead) */
            missing: {
                name: string;
                reason: string;
                version: string | null;
            }[];
            /** @description Guest directories of tools installed at create time, on PATH */
            path_dirs: string[];
            requested: {
                name: string;
                /** @description Asked for in the request (the default set is not required) */
                required: boolean;
                /** @description null: any version */
                version: string | null;
            }[];
        };
        /** @description A sample of a VM's resource use, not a bill */
        VmUsage: {
            /** @description CPU time its processes used since it started (user + system), in seconds */
            cpu_seconds: number | null;
            /** @description Bytes used in its home or disk, where that is a volume of its own */
            disk_bytes: number | null;
            /** @description Memory it holds now, page cache included */
            memory_bytes: number | null;
            /** @description The most memory it held at once */
            memory_peak_bytes: number | null;
            /** @description Processes in it now */
            processes: number | null;
            /**
             * Format: date-time
             * @description When the figures were read, at its worker's clock
             */
            sampled_at: string;
            vm_id: string;
        };
        VmWriteAccepted: {
            /**
             * @description The task's status when the answer was written
             * @enum {string}
             */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            /** Format: uuid */
            task_id: string;
            vm: components["schemas"]["Vm"];
        };
        VmWriteDone: {
            /**
             * @description The task's status when the answer was written
             * @enum {string}
             */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            task: components["schemas"]["Task"];
            /** Format: uuid */
            task_id: string;
            vm: components["schemas"]["Vm"];
        };
        /** @description The task failed (with `?wait`), or the request was refused */
        VmWriteError: components["schemas"]["VmWriteFailed"] | components["schemas"]["ErrorBody"];
        VmWriteFailed: {
            error: components["schemas"]["ApiError"];
            /**
             * @description The task's status when the answer was written
             * @enum {string}
             */
            status: "pending" | "processing" | "completed" | "failed" | "cancelled";
            task: components["schemas"]["Task"];
            /** Format: uuid */
            task_id: string;
            vm: components["schemas"]["Vm"];
        };
        /** @description An outbound webhook subscription: never its secret */
        Webhook: {
            active: boolean;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            created_at: string;
            events: string[];
            /** Format: uuid */
            id: string;
            project: string;
            url: string;
        };
        WebhookAnswer: {
            /** @description The delivery was taken; work, if any, runs in the background */
            accepted?: boolean;
            /** @description What the delivery started, or why it started nothing */
            action?: string;
            /** @enum {string} */
            response_type?: "ephemeral" | "in_channel";
            text?: string;
        };
        WebhookDelivery: {
            attempts: number;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            created_at: string;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            delivered_at: string | null;
            event: string;
            /**
             * Format: uuid
             * @description Sent as X-Aether-Delivery, the same on every attempt
             */
            id: string;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            last_attempt_at: string | null;
            last_error: string | null;
            /** @description The receiver's last answer; null if it gave none */
            last_status_code: number | null;
            /**
             * Format: date-time
             * @description When a pending delivery is tried next; null once settled
             */
            next_attempt_at: string | null;
            /** @description The event, as the body sends it under `data` */
            payload: unknown;
            /** Format: uuid */
            redelivery_of: string | null;
            /** @enum {string} */
            status: "pending" | "delivered" | "failed";
            /** Format: uuid */
            webhook_id: string;
        };
        WebhookDeliveryList: {
            deliveries: components["schemas"]["WebhookDelivery"][];
        };
        WebhookList: {
            webhooks: components["schemas"]["Webhook"][];
        };
        /** @description One inbound webhook as this gateway answered it */
        WebhookReceipt: {
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            at: string;
            /** @description The error code of a refusal or replay */
            code: string | null;
            /** @description The sender's event name (GitHub's `X-GitHub-Event`), when it sent one */
            event: string | null;
            /** @description The sender's delivery id (GitHub's `X-GitHub-Delivery`), when it sent one */
            id: string | null;
            /** @enum {string} */
            outcome: "accepted" | "ignored" | "refused" | "replayed";
            /** @description The HTTP status it was answered with */
            status: number;
        };
        /** @description A worker process of the cluster */
        Worker: {
            active_tasks: number;
            /** @description Tasks it runs at once */
            capacity: number;
            drivers: components["schemas"]["DriverName"][];
            /** @description Bumped on every registration of this id */
            epoch: number;
            host: string;
            id: string;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            last_heartbeat_at: string;
            /**
             * Format: date-time
             * @description ISO 8601 time, UTC
             */
            started_at: string;
            /** @enum {string} */
            status: "active" | "draining" | "stopped" | "dead";
            status_reason: string | null;
            version: string;
        };
        WorkerList: {
            workers: components["schemas"]["Worker"][];
        };
        WorkerSummary: {
            /** @description Tasks it runs at once */
            capacity: number;
            drivers: components["schemas"]["DriverName"][];
            /** @description Since its last heartbeat, by this gateway's clock */
            heartbeat_age_ms: number;
            id: string;
            /** @description Tasks it runs now */
            running: number;
            /** @enum {string} */
            status: "active" | "draining" | "stopped" | "dead";
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    streamEvents: {
        parameters: {
            query?: {
                /** @description API key or JWT, for browsers, which cannot set headers on a WebSocket or EventSource */
                access_token?: string;
                /** @description Comma-separated kinds of event (vm, task, worker); default every kind the caller may see (`worker`: admins only) */
                types?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description One message per change (WebSocket: 101, then one text frame per message) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["EventStreamMessage"];
                };
            };
        };
    };
    listAllExecutions: {
        parameters: {
            query?: {
                /** @description At most this many, newest first; default 50, at most 500 */
                limit?: number;
                /** @description Comma-separated or repeated, each one of: pending, running, exited, timed_out, signalled, failed, cancelled, unknown, not_started */
                status?: string | string[];
                /** @description Only those of this VM (id or name; a deleted VM's id works too) */
                vm?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The executions, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionList"];
                };
            };
        };
    };
    getExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The execution and its output */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Execution"];
                };
            };
        };
    };
    signalExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Delivered to the command's whole process tree; SIGKILL cannot be caught
                     * @default SIGTERM
                     * @enum {string}
                     */
                    signal?: "SIGTERM" | "SIGKILL" | "SIGINT" | "SIGHUP" | "SIGQUIT" | "SIGUSR1" | "SIGUSR2";
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Delivered to the command */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ok"];
                };
            };
        };
    };
    feedStdin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Stdin was fed and closed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StdinResult"];
                };
            };
        };
    };
    streamExecution: {
        parameters: {
            query?: {
                /** @description API key or JWT, for browsers, which cannot set headers on a WebSocket or EventSource */
                access_token?: string;
                /** @description Send only chunks with a higher `seq` (resume); default 0, from the start */
                after_seq?: number;
            };
            header?: never;
            path: {
                /** @description Execution id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description One event per message (WebSocket: 101, then one text frame per message) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["ExecutionStreamMessage"];
                };
            };
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The process serves HTTP */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    listIntegrations: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The integrations */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IntegrationList"];
                };
            };
        };
    };
    listJobs: {
        parameters: {
            query?: {
                /** @description At most this many, newest first; default 50, at most 500 */
                limit?: number;
                /** @description Comma-separated or repeated, each one of: pending, running, completed, failed, cancelled */
                status?: string | string[];
                /** @description Only those of this VM (id or name; a deleted VM's id works too) */
                vm?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The jobs, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobList"];
                };
            };
        };
    };
    getJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
        };
    };
    listKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The keys, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyList"];
                };
            };
        };
    };
    createKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Sees every project and manages the platform; needs an admin key */
                    admin?: boolean;
                    /**
                     * Format: date-time
                     * @description When the key stops working
                     */
                    expires_at?: string;
                    /** @description Alternative to expires_at */
                    expires_in_days?: number;
                    /** @description What the key is for, e.g. "ci on main" */
                    name: string;
                    /** @description Project the key acts for; default the caller's (another project needs an admin key) */
                    project?: string;
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key; `secret` is shown only here */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedKey"];
                };
            };
        };
    };
    revokeKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key, revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKey"];
                };
            };
        };
    };
    queryLogs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: date-time
                     * @description Before this time, exclusive; default: now
                     */
                    end?: string;
                    /** @description Lines about this execution (its output included) */
                    execution_id?: string;
                    /**
                     * @description At least this level; default every level
                     * @enum {string}
                     */
                    level?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
                    /** @description At most this many lines; default 100 */
                    limit?: number;
                    /**
                     * @description `desc` (default): the newest lines, newest first; `asc`: the oldest lines from `start`, oldest first
                     * @enum {string}
                     */
                    order?: "desc" | "asc";
                    /**
                     * Format: date-time
                     * @description From this time, inclusive; default: the beginning (Loki: 7 days back)
                     */
                    start?: string;
                    /** @description Lines about this task */
                    task_id?: string;
                    /** @description Lines containing this text, case-sensitive (with Loki: anywhere in the JSON line) */
                    text?: string;
                    /** @description Lines about this VM (an id, or a name of your project) */
                    vm_id?: string;
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The lines, in the order asked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LogList"];
                };
            };
        };
    };
    streamLogs: {
        parameters: {
            query?: {
                /** @description API key or JWT, for browsers, which cannot set headers on a WebSocket or EventSource */
                access_token?: string;
                /** @description Send the last this many matching lines first (default 50), then follow */
                backlog?: number;
                /** @description Lines about this execution (its output included) */
                execution_id?: string;
                /** @description At least this level; default every level */
                level?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
                /** @description Lines about this task */
                task_id?: string;
                /** @description Lines containing this text, case-sensitive (with Loki: anywhere in the JSON line) */
                text?: string;
                /** @description Lines about this VM (an id, or a name of your project) */
                vm_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description One message per line (WebSocket: 101, then one text frame per message) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["LogStreamMessage"];
                };
            };
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The OpenAPI 3 document of this API */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenApiDocument"];
                };
            };
        };
    };
    getOverview: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The overview */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Overview"];
                };
            };
        };
    };
    getQueue: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The queue */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QueueView"];
                };
            };
        };
    };
    getReady: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every component is ok */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description Some component is not ok */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
        };
    };
    createSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description An API key (`aek_...`), or a JWT from the configured issuer */
                    token: string;
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in; the cookie is set */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
        };
    };
    getSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
        };
    };
    deleteSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed out; the cookie is cleared */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ok"];
                };
            };
        };
    };
    listSnapshots: {
        parameters: {
            query?: {
                include_deleted?: "0" | "1" | "true" | "false" | "";
                limit?: number;
                /** @description Comma-separated statuses (pending, ready, failed, deleting, deleted) */
                status?: string;
                /** @description Only snapshots of this VM (id or name) */
                vm?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The snapshots */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotList"];
                };
            };
        };
    };
    getSnapshot: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The snapshot */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Snapshot"];
                };
            };
        };
    };
    deleteSnapshot: {
        parameters: {
            query?: {
                /** @description Execute only: answer with NDJSON lines as the command runs */
                stream?: "0" | "1" | "true" | "false" | "";
                /** @description Answer when the task ends, with its outcome */
                wait?: "0" | "1" | "true" | "false" | "";
                wait_timeout_ms?: number;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotWriteError"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotWriteError"];
                };
            };
            /** @description With `?wait=true`: the snapshot is deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotWriteDone"];
                };
            };
            /** @description Accepted: the task is queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotWriteAccepted"];
                };
            };
        };
    };
    listTasks: {
        parameters: {
            query?: {
                /** @description At most this many, newest first; default 50, at most 500 */
                limit?: number;
                /** @description Comma-separated or repeated, each one of: pending, processing, completed, failed, cancelled */
                status?: string | string[];
                /** @description Comma-separated or repeated, each one of: vm:create, vm:execute, vm:delete, job:run, vm:snapshot, snapshot:delete, vm:stop, vm:start, vm:pause, vm:resume */
                type?: string | string[];
                /** @description Only those of this VM (id or name; a deleted VM's id works too) */
                vm?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The tasks, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskList"];
                };
            };
        };
    };
    getTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The task */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
        };
    };
    listVms: {
        parameters: {
            query?: {
                include_deleted?: "0" | "1" | "true" | "false" | "";
                /** @description `key=value`; repeat it for VMs that have every one of these labels */
                label?: string | string[];
                limit?: number;
                /** @description Comma-separated statuses */
                status?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The VMs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmList"];
                };
            };
        };
    };
    createVm: {
        parameters: {
            query?: {
                /** @description Execute only: answer with NDJSON lines as the command runs */
                stream?: "0" | "1" | "true" | "false" | "";
                /** @description Answer when the task ends, with its outcome */
                wait?: "0" | "1" | "true" | "false" | "";
                wait_timeout_ms?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Tools to have besides the default set; the create fails (ERR_TOOL_UNAVAILABLE, ERR_TOOL_NEEDS_NETWORK) when one cannot be had */
                    additional_tools?: string[];
                    driver?: components["schemas"]["DriverNameInput"];
                    /**
                     * Format: uuid
                     * @description Start from this ready snapshot instead of booting: the VM takes the snapshot's driver, shape, image and network, on the worker holding it
                     */
                    from_snapshot?: string;
                    /** @description Seconds without a command running after which the VM is stopped or deleted (`on_expiry`); a running command holds it off and its end restarts it. 0: none. Default: the server's (none unless configured) */
                    idle_timeout_seconds?: number;
                    /** @description Guest image (a Docker reference); only on drivers with the `image` feature (see DriverName) */
                    image?: string;
                    /** @description Key=value pairs to find the VM by (`vm ls --label`); at most 32. keys are 1-63 lowercase letters, digits, `.`, `_`, `/` or `-`, starting and ending with a letter or digit; values are up to 63 letters, digits, `.`, `_`, `:`, `/`, `@`, `+` or `-` */
                    labels?: {
                        [key: string]: string;
                    };
                    memory_mib?: number;
                    metadata?: {
                        [key: string]: unknown;
                    };
                    name: string;
                    /** @description Outbound network access; default false (loopback only); only on drivers with the `network` feature (see DriverName) */
                    network?: boolean;
                    /**
                     * @description What a VM past its lifetime or idle timeout becomes: `stop` (files kept; start it again) or `delete`. Default: the server's (`stop` unless configured)
                     * @enum {string}
                     */
                    on_expiry?: "stop" | "delete" | "pause";
                    /**
                     * @description Queue priority; default `default`
                     * @enum {string}
                     */
                    priority?: "critical" | "high" | "default" | "low";
                    /** @description Restarts `on-failure` allows, 1 to 100; only with it. Default 3. The count is never reset, not by a stop and start either */
                    restart_max?: number;
                    /**
                     * @description What a death found by the health check leads to: `never` (default; the VM becomes `failed`) or `on-failure` (the VM is restarted in place, its files kept, up to `restart_max` times; then it fails)
                     * @enum {string}
                     */
                    restart_policy?: "never" | "on-failure";
                    /** @description Time limit for the task in ms */
                    timeout_ms?: number;
                    /** @description Versions asked for, by tool (`{"go": "1.23.0"}`); a tool named here is required too */
                    tool_versions?: {
                        [key: string]: string;
                    };
                    /** @description Lifetime in seconds from the create; when it runs out the VM is stopped or deleted (`on_expiry`). 0: none. Default: the server's (none unless configured) */
                    ttl_seconds?: number;
                    vcpus?: number;
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteError"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteError"];
                };
            };
            /** @description With `?wait=true`: the VM is running */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteDone"];
                };
            };
            /** @description Accepted: the task is queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteAccepted"];
                };
            };
        };
    };
    getVm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The VM */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Vm"];
                };
            };
        };
    };
    deleteVm: {
        parameters: {
            query?: {
                /** @description Execute only: answer with NDJSON lines as the command runs */
                stream?: "0" | "1" | "true" | "false" | "";
                /** @description Answer when the task ends, with its outcome */
                wait?: "0" | "1" | "true" | "false" | "";
                wait_timeout_ms?: number;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteError"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteError"];
                };
            };
            /** @description With `?wait=true`: the VM is deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteDone"];
                };
            };
            /** @description Accepted: the task is queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteAccepted"];
                };
            };
        };
    };
    listVmEvents: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The changes, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmEventList"];
                };
            };
        };
    };
    executeCommand: {
        parameters: {
            query?: {
                /** @description Execute only: answer with NDJSON lines as the command runs */
                stream?: "0" | "1" | "true" | "false" | "";
                /** @description Answer when the task ends, with its outcome */
                wait?: "0" | "1" | "true" | "false" | "";
                wait_timeout_ms?: number;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    args?: string[];
                    command: string;
                    /** Format: starts_with */
                    cwd?: string;
                    env?: {
                        [key: string]: string;
                    };
                    /**
                     * @description Queue priority; default `default`
                     * @enum {string}
                     */
                    priority?: "critical" | "high" | "default" | "low";
                    /** @description The command may run again if its worker dies mid-run; otherwise such a run ends with outcome `unknown` */
                    retry_safe?: boolean;
                    /** @description UTF-8 text written to stdin, then closed */
                    stdin?: string;
                    /** @description Stdin is streamed to the command while it runs, through the execution's stdin endpoint; default false. Until a sender attaches, the command sees an open stdin with nothing on it, up to its time limit (as with `docker exec -i` and nothing attached). Not with `stdin` */
                    stdin_stream?: boolean;
                    /** @description Kill the command after this many ms; 0: no limit of its own, which is the longest a command may run (24 h), and its task waits as long */
                    timeout_ms?: number;
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecuteError"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecuteError"];
                };
            };
            /** @description With `?wait=true`: the execution; with `?stream=true`: its output as it happens */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecuteDone"];
                    "application/x-ndjson": components["schemas"]["ExecutionStreamLine"];
                };
            };
            /** @description Accepted: the task is queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecuteAccepted"];
                };
            };
        };
    };
    listExecutions: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The executions, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionList"];
                };
            };
        };
    };
    extendVm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Seconds to add to the lifetime deadline (to now, when the deadline has passed but the VM has not ended yet) */
                    ttl_seconds: number;
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The VM with its new deadline */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Vm"];
                };
            };
        };
    };
    downloadFile: {
        parameters: {
            query: {
                /** @description `tar` packs a file into an archive too; default: the bytes of a file, a tar archive of a directory */
                format?: "raw" | "tar";
                /** @description A path inside the VM: absolute, or relative to the VM's home. Resolved inside the VM */
                path: string;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The file, or a tar archive of the directory */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                    "application/x-tar": string;
                };
            };
        };
    };
    uploadFile: {
        parameters: {
            query: {
                /** @description Permission bits of a single file, in octal; default 644 */
                mode?: string;
                /** @description Where the file goes (parents are created), or with a tar body the directory the archive is unpacked into */
                path: string;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
                "application/x-tar": string;
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Written */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadResult"];
                };
            };
        };
    };
    deleteFile: {
        parameters: {
            query: {
                /** @description A path inside the VM: absolute, or relative to the VM's home. Resolved inside the VM */
                path: string;
                /** @description Needed to remove a non-empty directory */
                recursive?: "0" | "1" | "true" | "false" | "";
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Removed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ok"];
                };
            };
        };
    };
    listFiles: {
        parameters: {
            query: {
                /** @description A path inside the VM: absolute, or relative to the VM's home. Resolved inside the VM */
                path: string;
                /** @description Every entry below the directory, names relative to it */
                recursive?: "0" | "1" | "true" | "false" | "";
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Its entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FsListing"];
                };
            };
        };
    };
    makeDirectory: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Create missing parents, and accept a directory that exists
                     * @default false
                     */
                    parents?: boolean;
                    /** @description A path inside the VM: absolute, or relative to the VM's home. Resolved inside the VM */
                    path: string;
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ok"];
                };
            };
        };
    };
    moveFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A path inside the VM: absolute, or relative to the VM's home. Resolved inside the VM */
                    from: string;
                    /** @description A path inside the VM: absolute, or relative to the VM's home. Resolved inside the VM */
                    to: string;
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Moved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ok"];
                };
            };
        };
    };
    statFile: {
        parameters: {
            query: {
                /** @description A path inside the VM: absolute, or relative to the VM's home. Resolved inside the VM */
                path: string;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The entry */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FsEntry"];
                };
            };
        };
    };
    runJob: {
        parameters: {
            query?: {
                /** @description Execute only: answer with NDJSON lines as the command runs */
                stream?: "0" | "1" | "true" | "false" | "";
                /** @description Answer when the task ends, with its outcome */
                wait?: "0" | "1" | "true" | "false" | "";
                wait_timeout_ms?: number;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /**
                     * @description Queue priority; default `default`
                     * @enum {string}
                     */
                    priority?: "critical" | "high" | "default" | "low";
                    steps: {
                        args?: string[];
                        command: string;
                        /** Format: starts_with */
                        cwd?: string;
                        env?: {
                            [key: string]: string;
                        };
                        /** @description Kill the command after this many ms */
                        timeout_ms?: number;
                    }[];
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobWriteError"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobWriteError"];
                };
            };
            /** @description With `?wait=true`: every step succeeded */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobWriteDone"];
                };
            };
            /** @description Accepted: the task is queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobWriteAccepted"];
                };
            };
        };
    };
    pauseVm: {
        parameters: {
            query?: {
                /** @description Save the VM's memory to disk and end its VMM, so a paused VM holds no RAM (qemu, firecracker) */
                hibernate?: "0" | "1" | "true" | "false" | "";
                /** @description Execute only: answer with NDJSON lines as the command runs */
                stream?: "0" | "1" | "true" | "false" | "";
                /** @description Answer when the task ends, with its outcome */
                wait?: "0" | "1" | "true" | "false" | "";
                wait_timeout_ms?: number;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteError"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteError"];
                };
            };
            /** @description With `?wait=true`: the VM is paused */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteDone"];
                };
            };
            /** @description Accepted: the task is queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteAccepted"];
                };
            };
        };
    };
    connectPort: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description VM id or name */
                id: string;
                /** @description TCP port inside the VM */
                port: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description WebSocket only (101): binary frames, the connection's bytes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                    "application/x-tar": string;
                };
            };
        };
    };
    listPreviews: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Its previews, newest first, each with its `state` */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PreviewList"];
                };
            };
        };
    };
    createPreview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description How long the URL works: seconds, or a duration such as `30m`, `2h`, `1d`. Default 1 h, at most 7 days */
                    expires_in?: number | string;
                    /** @description The port an app listens on at 127.0.0.1 inside the VM */
                    port: number;
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The preview; `token` and `url` are shown only here */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedPreview"];
                };
            };
        };
    };
    revokePreview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
                /** @description The preview's id */
                preview_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ok"];
                };
            };
        };
    };
    listProcesses: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The running executions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProcessList"];
                };
            };
        };
    };
    resumeVm: {
        parameters: {
            query?: {
                /** @description Execute only: answer with NDJSON lines as the command runs */
                stream?: "0" | "1" | "true" | "false" | "";
                /** @description Answer when the task ends, with its outcome */
                wait?: "0" | "1" | "true" | "false" | "";
                wait_timeout_ms?: number;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteError"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteError"];
                };
            };
            /** @description With `?wait=true`: the VM is running */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteDone"];
                };
            };
            /** @description Accepted: the task is queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteAccepted"];
                };
            };
        };
    };
    snapshotVm: {
        parameters: {
            query?: {
                /** @description Execute only: answer with NDJSON lines as the command runs */
                stream?: "0" | "1" | "true" | "false" | "";
                /** @description Answer when the task ends, with its outcome */
                wait?: "0" | "1" | "true" | "false" | "";
                wait_timeout_ms?: number;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotWriteError"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotWriteError"];
                };
            };
            /** @description With `?wait=true`: the snapshot is ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotWriteDone"];
                };
            };
            /** @description Accepted: the task is queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotWriteAccepted"];
                };
            };
        };
    };
    startVm: {
        parameters: {
            query?: {
                /** @description Execute only: answer with NDJSON lines as the command runs */
                stream?: "0" | "1" | "true" | "false" | "";
                /** @description Answer when the task ends, with its outcome */
                wait?: "0" | "1" | "true" | "false" | "";
                wait_timeout_ms?: number;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteError"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteError"];
                };
            };
            /** @description With `?wait=true`: the VM is running */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteDone"];
                };
            };
            /** @description Accepted: the task is queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteAccepted"];
                };
            };
        };
    };
    stopVm: {
        parameters: {
            query?: {
                /** @description Execute only: answer with NDJSON lines as the command runs */
                stream?: "0" | "1" | "true" | "false" | "";
                /** @description Answer when the task ends, with its outcome */
                wait?: "0" | "1" | "true" | "false" | "";
                wait_timeout_ms?: number;
            };
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteError"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteError"];
                };
            };
            /** @description With `?wait=true`: the VM is stopped */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteDone"];
                };
            };
            /** @description Accepted: the task is queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmWriteAccepted"];
                };
            };
        };
    };
    listTerminals: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The sessions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TerminalList"];
                };
            };
        };
    };
    openTerminal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description The terminal's width, in character cells
                     * @default 80
                     */
                    cols?: number;
                    /** @description argv of the command (no shell involved); default: a login shell (bash where the VM has it) */
                    command?: string[];
                    /** @description Working directory; default the VM's home */
                    cwd?: string;
                    /** @description Added to the environment; TERM defaults to xterm-256color */
                    env?: {
                        [key: string]: string;
                    };
                    /**
                     * @description The terminal's height, in character cells
                     * @default 24
                     */
                    rows?: number;
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The session, running */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Terminal"];
                };
            };
        };
    };
    getTerminal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description VM id or name */
                id: string;
                terminal_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The session */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Terminal"];
                };
            };
        };
    };
    closeTerminal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description VM id or name */
                id: string;
                terminal_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Hung up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ok"];
                };
            };
        };
    };
    attachTerminal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description VM id or name */
                id: string;
                terminal_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description WebSocket only (101); text frames are these messages */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TerminalSocketMessage"];
                };
            };
        };
    };
    resizeTerminal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description VM id or name */
                id: string;
                terminal_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The terminal's width, in character cells */
                    cols: number;
                    /** @description The terminal's height, in character cells */
                    rows: number;
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Resized */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ok"];
                };
            };
        };
    };
    getVmUsage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An id, or a VM name */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The sample */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmUsage"];
                };
            };
        };
    };
    listWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The subscriptions, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookList"];
                };
            };
        };
    };
    createWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Whether events are sent; default true */
                    active?: boolean;
                    /** @description Events to send: each an event name (vm.status, vm.created, vm.started, vm.stopped, vm.paused, vm.resumed, vm.deleted, vm.failed, vm.lost, task.updated, task.completed, task.failed, task.cancelled, execution.completed), a group (vm.*, task.*, execution.*) or * */
                    events: string[];
                    /** @description Where events are POSTed: http(s); internal addresses are refused unless the operator allows them */
                    url: string;
                };
            };
        };
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The subscription; `secret` is shown only here */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedWebhook"];
                };
            };
        };
    };
    deleteWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The subscription, deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                /** @description At most this many, newest first; default 100 */
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The deliveries, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveryList"];
                };
            };
        };
    };
    redeliverWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                delivery: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The new delivery, pending */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDelivery"];
                };
            };
        };
    };
    receiveWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The integration the webhook is for: `github` or `slack` */
                integration: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Verified; the answer Slack shows the user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"];
                };
            };
            /** @description Verified and taken; work runs in the background */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"];
                };
            };
        };
    };
    listWorkers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The workers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkerList"];
                };
            };
        };
    };
    getWorker: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The worker */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Worker"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused; the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The gateway or a backend failed; see `retryable` */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The metrics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": components["schemas"]["MetricsText"];
                };
            };
        };
    };
}
