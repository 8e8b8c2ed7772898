/**
 * The error family: each answer's status or code gives the class a caller catches, and whether a
 * retry can help comes from the API's own word when it gave one.
 */
import {
  AetherApiError,
  AuthenticationError,
  apiErrorOf,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
  TransferAbortedError,
  UnavailableError,
  UnprocessableError,
  ValidationError,
} from '@aetherium/sdk';
import { describe, expect, it } from 'vitest';

describe('apiErrorOf', () => {
  it('picks the class by status, keeping status, code and message', () => {
    const cases = [
      [400, ValidationError],
      [401, AuthenticationError],
      [403, PermissionDeniedError],
      [404, NotFoundError],
      [409, ConflictError],
      [413, UnprocessableError],
      [415, ValidationError],
      [422, UnprocessableError],
      [429, RateLimitError],
      [503, UnavailableError],
      [504, TimeoutError],
      [507, UnprocessableError],
    ] as const;
    for (const [status, Class] of cases) {
      const error = apiErrorOf(status, 'ERR_SOMETHING', 'what happened');
      expect(error, String(status)).toBeInstanceOf(Class);
      expect(error).toBeInstanceOf(AetherApiError);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({
        status,
        code: 'ERR_SOMETHING',
        message: 'what happened',
        name: Class.name,
      });
    }
    expect(apiErrorOf(500, 'ERR_INTERNAL', 'x').constructor).toBe(AetherApiError);
  });

  it('picks the class by code for failures that got no answer', () => {
    expect(apiErrorOf(0, 'ERR_GATEWAY_UNREACHABLE', 'x')).toBeInstanceOf(UnavailableError);
    expect(apiErrorOf(0, 'ERR_TRANSFER_ABORTED', 'x')).toBeInstanceOf(TransferAbortedError);
    expect(apiErrorOf(0, 'ERR_STREAM_CLOSED', 'x')).toBeInstanceOf(TransferAbortedError);
    expect(apiErrorOf(504, 'ERR_WAIT_TIMEOUT', 'x')).toBeInstanceOf(TimeoutError);
    // A task's error carries its code with no status: the code still decides what it is.
    expect(apiErrorOf(0, 'ERR_WAIT_TIMEOUT', 'x')).toBeInstanceOf(TimeoutError);
    expect(apiErrorOf(0, 'ERR_VALIDATION', 'x')).toBeInstanceOf(ValidationError);
    expect(apiErrorOf(0, 'ERR_SNAPSHOT_NOT_FOUND', 'x')).toBeInstanceOf(NotFoundError);
    expect(apiErrorOf(0, 'ERR_STORE_UNAVAILABLE', 'x')).toBeInstanceOf(UnavailableError);
    expect(apiErrorOf(0, 'ERR_VM_FAILED', 'x').constructor).toBe(AetherApiError);
  });

  it('says whether a retry can help: as the API said, else by status', () => {
    const said = (retryable: boolean) => ({ error: { code: 'ERR_X', message: 'x', retryable } });
    expect(apiErrorOf(409, 'ERR_X', 'x', said(true)).retryable).toBe(true);
    expect(apiErrorOf(503, 'ERR_X', 'x', said(false)).retryable).toBe(false);
    expect(apiErrorOf(0, 'ERR_GATEWAY_UNREACHABLE', 'x').retryable).toBe(true);
    expect(apiErrorOf(503, 'ERR_X', 'x').retryable).toBe(true);
    expect(apiErrorOf(400, 'ERR_X', 'x').retryable).toBe(false);
  });
});
