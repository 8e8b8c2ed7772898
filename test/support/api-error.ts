import { AetherApiError } from '@aetherium/sdk';
import { expect } from 'vitest';

/** The API error `promise` rejects with; fails the test when it resolves or rejects otherwise. */
export async function apiError(promise: Promise<unknown>): Promise<AetherApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AetherApiError);
  return error as AetherApiError;
}
