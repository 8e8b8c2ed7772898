import { describe, expect, it } from 'vitest';
import { isAetherError } from '../core/errors.js';
import { type RestartInput, restartOf } from './vm-restarts.js';

function refusal(input: RestartInput): { field: unknown; message: string } {
  try {
    restartOf(input);
  } catch (error) {
    if (isAetherError(error) && error.code === 'ERR_VALIDATION') {
      return { field: error.details?.field, message: error.message };
    }
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('restartOf', () => {
  it('gives never by default, and on-failure 3 times unless told', () => {
    expect(restartOf({})).toEqual({ policy: 'never', max: 0 });
    expect(restartOf({ restartPolicy: 'never' })).toEqual({ policy: 'never', max: 0 });
    expect(restartOf({ restartPolicy: 'on-failure' })).toEqual({ policy: 'on-failure', max: 3 });
    expect(restartOf({ restartPolicy: 'on-failure', restartMax: 100 })).toEqual({
      policy: 'on-failure',
      max: 100,
    });
  });

  it('refuses a max out of range or without on-failure, saying what to fix', () => {
    for (const restartMax of [0, 101, 1.5]) {
      expect(refusal({ restartPolicy: 'on-failure', restartMax })).toMatchObject({
        field: 'restart_max',
        message: expect.stringContaining('from 1 to 100'),
      });
    }
    expect(refusal({ restartMax: 2 })).toMatchObject({
      field: 'restart_max',
      message: expect.stringContaining('only with restart_policy "on-failure"'),
    });
    expect(refusal({ restartPolicy: 'always' as never })).toMatchObject({
      field: 'restart_policy',
      message: expect.stringContaining('use never or on-failure'),
    });
  });
});
