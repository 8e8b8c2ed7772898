import { describe, expect, it } from 'vitest';
import { dateArgument } from './clock.js';

describe('clock', () => {
  it("formats the host's time for date -s, keeping milliseconds", () => {
    expect(dateArgument(1_700_000_000_042)).toBe('@1700000000.042');
    expect(dateArgument(1_700_000_000_000)).toBe('@1700000000.000');
    expect(dateArgument(999)).toBe('@0.999');
  });
});
