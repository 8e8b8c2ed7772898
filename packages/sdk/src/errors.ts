/**
 * Errors the SDK throws: every error answer of the API, and a gateway that could not be reached,
 * as an `AetherApiError` carrying the API's stable `code`. Subclasses group the codes a caller
 * handles alike (`instanceof NotFoundError`), so that code need not list codes.
 */
import type { ErrorCode } from './api-types.js';

/** Codes the SDK itself gives, for failures that never reached an answer of the API. */
export type ClientErrorCode =
  /** No connection to the gateway (refused, reset, DNS): nothing was done. */
  | 'ERR_GATEWAY_UNREACHABLE'
  /** An answer that is not the API's error body (a proxy's page, say). */
  | 'ERR_HTTP'
  /** A stream sent a message this SDK does not know. */
  | 'ERR_STREAM_PROTOCOL'
  /** A stream closed before its end and could not be resumed. */
  | 'ERR_STREAM_CLOSED';

/** An error answer from the gateway, or a gateway that could not be reached. */
export class AetherApiError extends Error {
  constructor(
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    readonly code: ErrorCode | ClientErrorCode | (string & {}),
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'AetherApiError';
  }

  /** Whether the same request may succeed if sent again (as the API says, or unreachable/503). */
  get retryable(): boolean {
    const said = (this.body as { error?: { retryable?: unknown } } | undefined)?.error?.retryable;
    if (typeof said === 'boolean') return said;
    return this.status === 0 || this.status === 503;
  }
}

/** 400: the request was wrong; the message names the field. */
export class ValidationError extends AetherApiError {
  override name = 'ValidationError';
}
/** 401: no credentials, or not valid ones. */
export class AuthenticationError extends AetherApiError {
  override name = 'AuthenticationError';
}
/** 403: valid credentials without the right to this. */
export class PermissionDeniedError extends AetherApiError {
  override name = 'PermissionDeniedError';
}
/** 404: no such VM, execution, task, file…, or one of another project. */
export class NotFoundError extends AetherApiError {
  override name = 'NotFoundError';
}
/** 409: the thing is not in a state that allows this (a stopped VM, a name taken). */
export class ConflictError extends AetherApiError {
  override name = 'ConflictError';
}
/** 413 / 422 / 507 and the like: the request was understood but cannot be carried out. */
export class UnprocessableError extends AetherApiError {
  override name = 'UnprocessableError';
}
/** 429: too many requests; wait and retry. */
export class RateLimitError extends AetherApiError {
  override name = 'RateLimitError';
}
/** 504 `ERR_WAIT_TIMEOUT`: the wait ended, the work goes on. */
export class TimeoutError extends AetherApiError {
  override name = 'TimeoutError';
}
/** 503, or no connection to the gateway: try again later. */
export class UnavailableError extends AetherApiError {
  override name = 'UnavailableError';
}
/** A transfer or a stream cut before its end. */
export class TransferAbortedError extends AetherApiError {
  override name = 'TransferAbortedError';
}

type ErrorClass = new (status: number, code: string, message: string, body?: unknown) => AetherApiError;

const BY_CODE: Readonly<Record<string, ErrorClass>> = {
  ERR_GATEWAY_UNREACHABLE: UnavailableError,
  ERR_WAIT_TIMEOUT: TimeoutError,
  ERR_TRANSFER_ABORTED: TransferAbortedError,
  ERR_STREAM_CLOSED: TransferAbortedError,
};

const BY_STATUS: Readonly<Record<number, ErrorClass>> = {
  400: ValidationError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  413: UnprocessableError,
  415: ValidationError,
  422: UnprocessableError,
  429: RateLimitError,
  503: UnavailableError,
  504: TimeoutError,
  507: UnprocessableError,
};

/** The error for an answer (or a failure with status 0), of the class its code or status names. */
export function apiErrorOf(status: number, code: string, message: string, body?: unknown): AetherApiError {
  const Class = BY_CODE[code] ?? BY_STATUS[status] ?? (status === 0 ? classByName(code) : AetherApiError);
  return new Class(status, code, message, body);
}

/**
 * The class of an error that came without an HTTP status (a failed task read later, a stream's
 * error message), from what its code says.
 */
function classByName(code: string): ErrorClass {
  if (code.endsWith('_NOT_FOUND')) return NotFoundError;
  if (code === 'ERR_VALIDATION' || code === 'ERR_BAD_JSON') return ValidationError;
  if (code === 'ERR_UNAUTHENTICATED') return AuthenticationError;
  if (code === 'ERR_FORBIDDEN' || code === 'ERR_PERMISSION_DENIED') return PermissionDeniedError;
  if (code.endsWith('_UNAVAILABLE') || code === 'ERR_SHUTTING_DOWN') return UnavailableError;
  if (code.endsWith('_TIMEOUT')) return TimeoutError;
  if (code === 'ERR_EXEC_SPAWN_FAILED' || code === 'ERR_VM_OUT_OF_MEMORY') return UnprocessableError;
  return AetherApiError;
}
