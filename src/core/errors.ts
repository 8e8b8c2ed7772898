/**
 * Stable error codes. Each code is listed once, never reused, and says whose fault it is
 * (`caller` → 4xx, `ours` → 5xx) and whether trying again can help. Inside a process errors are
 * `AetherError` instances; across process and VM boundaries they travel as `WireError` data.
 */
export const ERROR_CODES = {
  ERR_VALIDATION: { status: 400, fault: 'caller', retryable: false },
  ERR_BAD_JSON: { status: 400, fault: 'caller', retryable: false },
  ERR_BODY_TOO_LARGE: { status: 413, fault: 'caller', retryable: false },
  ERR_NOT_FOUND: { status: 404, fault: 'caller', retryable: false },
  ERR_UNAUTHENTICATED: { status: 401, fault: 'caller', retryable: false },
  ERR_FORBIDDEN: { status: 403, fault: 'caller', retryable: false },
  ERR_QUOTA_EXCEEDED: { status: 403, fault: 'caller', retryable: false },
  ERR_RATE_LIMITED: { status: 429, fault: 'caller', retryable: true },
  ERR_REQUEST_TIMEOUT: { status: 408, fault: 'caller', retryable: true },
  ERR_KEY_NOT_FOUND: { status: 404, fault: 'caller', retryable: false },
  ERR_VM_NOT_FOUND: { status: 404, fault: 'caller', retryable: false },
  ERR_TASK_NOT_FOUND: { status: 404, fault: 'caller', retryable: false },
  ERR_EXECUTION_NOT_FOUND: { status: 404, fault: 'caller', retryable: false },
  ERR_JOB_NOT_FOUND: { status: 404, fault: 'caller', retryable: false },
  ERR_SNAPSHOT_NOT_FOUND: { status: 404, fault: 'caller', retryable: false },
  /** A VM can only start from a snapshot whose save finished (`ready`). */
  ERR_SNAPSHOT_NOT_READY: { status: 409, fault: 'caller', retryable: false },
  /** A snapshot whose VMs still run cannot be deleted: delete them first. */
  ERR_SNAPSHOT_IN_USE: { status: 409, fault: 'caller', retryable: false },
  ERR_VM_NAME_TAKEN: { status: 409, fault: 'caller', retryable: false },
  ERR_VM_NAME_AMBIGUOUS: { status: 409, fault: 'caller', retryable: false },
  ERR_VM_NOT_RUNNING: { status: 409, fault: 'caller', retryable: false },
  ERR_INVALID_TRANSITION: { status: 409, fault: 'caller', retryable: false },
  ERR_DRIVER_UNKNOWN: { status: 400, fault: 'caller', retryable: false },
  /** No worker has registered (or every one is dead): nothing can take a create yet. */
  ERR_NO_WORKER: { status: 503, fault: 'ours', retryable: true },
  ERR_UNSUPPORTED: { status: 501, fault: 'ours', retryable: false },
  ERR_EXEC_SPAWN_FAILED: { status: 422, fault: 'caller', retryable: false },
  ERR_EXEC_TIMEOUT: { status: 504, fault: 'caller', retryable: false },
  ERR_TASK_TIMEOUT: { status: 504, fault: 'ours', retryable: true },
  ERR_TASK_CANCELLED: { status: 409, fault: 'caller', retryable: false },
  ERR_TASK_INTERRUPTED: { status: 502, fault: 'ours', retryable: false },
  /**
   * The task never reached a worker's handler (its worker died or stopped while it waited in
   * that worker's queue): nothing ran, so submitting it again is safe.
   */
  ERR_TASK_NOT_STARTED: { status: 503, fault: 'ours', retryable: true },
  ERR_WAIT_TIMEOUT: { status: 504, fault: 'ours', retryable: true },
  ERR_VM_BOOT_TIMEOUT: { status: 504, fault: 'ours', retryable: true },
  ERR_VM_LOST: { status: 410, fault: 'ours', retryable: false },
  /** The VM was found dead (its agent or sandbox gone) while the work ran; see its status reason. */
  ERR_VM_FAILED: { status: 502, fault: 'ours', retryable: false },
  ERR_WORKER_LOST: { status: 502, fault: 'ours', retryable: false },
  ERR_STALE_ATTEMPT: { status: 409, fault: 'ours', retryable: false },
  ERR_WORKER_DRAINING: { status: 503, fault: 'ours', retryable: true },
  ERR_SHUTTING_DOWN: { status: 503, fault: 'ours', retryable: true },
  ERR_AGENT_UNREACHABLE: { status: 502, fault: 'ours', retryable: true },
  ERR_AGENT_PROTOCOL: { status: 502, fault: 'ours', retryable: false },
  ERR_ISOLATION_UNAVAILABLE: { status: 503, fault: 'ours', retryable: false },
  ERR_DRIVER_FAILED: { status: 500, fault: 'ours', retryable: true },
  /** Firecracker refused an API request; the message carries its `fault_message`. */
  ERR_FIRECRACKER_FAULT: { status: 500, fault: 'ours', retryable: false },
  /** The host lacks what a driver needs (binary, /dev/kvm, kernel, ...); `aether doctor` lists it. */
  ERR_PREFLIGHT_FAILED: { status: 503, fault: 'ours', retryable: false },
  ERR_IMAGE_BUILD_FAILED: { status: 500, fault: 'ours', retryable: true },
  ERR_HOST_TOOL_MISSING: { status: 503, fault: 'ours', retryable: false },
  /** A guest kernel's .config lost an option of the committed fragment (renamed, or a dependency off). */
  ERR_KERNEL_CONFIG: { status: 500, fault: 'ours', retryable: false },
  ERR_NETWORK_UNAVAILABLE: { status: 503, fault: 'ours', retryable: false },
  ERR_NETWORK_EXHAUSTED: { status: 503, fault: 'ours', retryable: true },
  ERR_IMAGE_NOT_FOUND: { status: 400, fault: 'caller', retryable: false },
  ERR_VM_OUT_OF_MEMORY: { status: 422, fault: 'caller', retryable: false },
  /** A tool asked for cannot be had at that version from any source (details: tool, version, sources). */
  ERR_TOOL_UNAVAILABLE: { status: 422, fault: 'caller', retryable: false },
  /** A tool asked for must be installed and the VM has no network: ask for `network` or bake it. */
  ERR_TOOL_NEEDS_NETWORK: { status: 422, fault: 'caller', retryable: false },
  /** Installing a VM's tools took longer than its deadline (AETHER_TOOL_INSTALL_TIMEOUT_MS). */
  ERR_TOOL_INSTALL_TIMEOUT: { status: 504, fault: 'ours', retryable: false },
  /** An installer failed for another reason than a missing version (registry unreachable...). */
  ERR_TOOL_INSTALL_FAILED: { status: 502, fault: 'ours', retryable: true },
  ERR_STORE_UNAVAILABLE: { status: 503, fault: 'ours', retryable: true },
  ERR_QUEUE_UNAVAILABLE: { status: 503, fault: 'ours', retryable: true },
  /** The log backend (Loki) did not answer a query; the logs are still being shipped. */
  ERR_LOGS_UNAVAILABLE: { status: 503, fault: 'ours', retryable: true },
  /** A webhook whose signature is missing, wrong or stale, or for no enabled integration. */
  ERR_WEBHOOK_UNVERIFIED: { status: 401, fault: 'caller', retryable: false },
  /** A webhook delivery (or Slack request) that was already taken: replays do nothing. */
  ERR_WEBHOOK_REPLAYED: { status: 409, fault: 'caller', retryable: false },
  /** No outbound webhook subscription with that id in the caller's project. */
  ERR_WEBHOOK_NOT_FOUND: { status: 404, fault: 'caller', retryable: false },
  ERR_WEBHOOK_DELIVERY_NOT_FOUND: { status: 404, fault: 'caller', retryable: false },
  /**
   * An outbound webhook URL that is not http(s), or whose host resolves to an internal address
   * (loopback, private, link-local, ...) the gateway refuses to post to (webhooks.allow_private).
   */
  ERR_WEBHOOK_URL_REFUSED: { status: 400, fault: 'caller', retryable: false },
  /** GitHub's or Slack's API refused or failed a call (details: integration, status). */
  ERR_INTEGRATION_FAILED: { status: 502, fault: 'ours', retryable: true },
  ERR_CONFIG: { status: 500, fault: 'ours', retryable: false },
  ERR_INTERNAL: { status: 500, fault: 'ours', retryable: false },
  // Files inside a VM (the guest agent's answers, see core/guest-files.ts).
  ERR_FILE_NOT_FOUND: { status: 404, fault: 'caller', retryable: false },
  ERR_NOT_A_DIRECTORY: { status: 400, fault: 'caller', retryable: false },
  ERR_IS_A_DIRECTORY: { status: 400, fault: 'caller', retryable: false },
  ERR_PERMISSION_DENIED: { status: 403, fault: 'caller', retryable: false },
  ERR_FILE_EXISTS: { status: 409, fault: 'caller', retryable: false },
  ERR_DIRECTORY_NOT_EMPTY: { status: 409, fault: 'caller', retryable: false },
  /** The VM's disk (or quota) is full; what was being written is removed, not left half done. */
  ERR_VM_DISK_FULL: { status: 507, fault: 'caller', retryable: false },
  /** A transfer ended before its last byte (the sender went away); nothing partial is kept. */
  ERR_TRANSFER_ABORTED: { status: 400, fault: 'caller', retryable: true },
  /** The execution has ended (or never ran here), so it cannot take a signal or stdin. */
  ERR_EXECUTION_NOT_RUNNING: { status: 409, fault: 'caller', retryable: false },
  /** Nothing inside the VM accepts connections on the port asked for (connection refused). */
  ERR_PORT_UNREACHABLE: { status: 502, fault: 'caller', retryable: true },
  /** A terminal session this VM's worker does not hold (ended, or never opened). */
  ERR_TERMINAL_NOT_FOUND: { status: 404, fault: 'caller', retryable: false },
  /** A preview URL past its expiry. */
  ERR_PREVIEW_EXPIRED: { status: 401, fault: 'caller', retryable: false },
  /** A preview URL whose token is unknown or revoked, or whose VM is gone. */
  ERR_PREVIEW_NOT_FOUND: { status: 404, fault: 'caller', retryable: false },
  /** A VM holds as many terminals or tunnels as a worker allows it; close one first. */
  ERR_TOO_MANY_STREAMS: { status: 429, fault: 'caller', retryable: true },
  /**
   * A request authenticated by a session cookie that may have come from another site: an unsafe
   * method without the session's `x-csrf-token`, or an `Origin` other than the gateway's own.
   */
  ERR_CSRF: { status: 403, fault: 'caller', retryable: false },
} as const satisfies Record<string, { status: number; fault: 'caller' | 'ours'; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error as data: what the store keeps, the API returns and the agent sends. */
export interface WireError {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

export class AetherError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AetherError';
    this.code = code;
    this.details = options?.details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.details) wire.details = this.details;
    return wire;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** Any thrown value as wire data; unknown errors become ERR_INTERNAL without leaking stacks. */
export function toWireError(error: unknown): WireError {
  if (error instanceof AetherError) return error.toWire();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'ERR_INTERNAL', message, retryable: false };
}

export function isAetherError(error: unknown, code?: ErrorCode): error is AetherError {
  return error instanceof AetherError && (code === undefined || error.code === code);
}

/** What a thrown value may carry, read as data whatever threw it (Node, pg, ioredis ...). */
export interface ErrorFields {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
  constraint?: unknown;
  detail?: unknown;
}

/** The error and everything it wraps (`cause` chains, AggregateError members), outermost first. */
export function errorChain(error: unknown, depth = 0): ErrorFields[] {
  if (typeof error !== 'object' || error === null || depth > 5) return [];
  const e = error as ErrorFields;
  const inner: ErrorFields[] = [];
  if (Array.isArray(e.errors)) for (const member of e.errors) inner.push(...errorChain(member, depth + 1));
  if (e.cause !== undefined) inner.push(...errorChain(e.cause, depth + 1));
  return [e, ...inner];
}
