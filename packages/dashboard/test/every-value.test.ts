import { describe, expect, it } from 'vitest';
import { everyValue } from '../src/lib/every-value';

describe('everyValue', () => {
  it('lists every member once, in the order written (the order a filter offers them)', () => {
    expect(
      everyValue<'running' | 'pending' | 'vm:create'>({ running: true, pending: true, 'vm:create': true }),
    ).toEqual(['running', 'pending', 'vm:create']);
  });
});
