import { describe, expect, it } from 'vitest';
import { isLegacyInvocation, parseLegacyFlags } from './legacy.js';

describe('classic Go CLI flags', () => {
  it('recognises a -type invocation', () => {
    expect(isLegacyInvocation(['-type', 'vm:create', '-name', 'x'])).toBe(true);
    expect(isLegacyInvocation(['vm', 'create', 'x'])).toBe(false);
  });

  it('parses single-dash flags with separate or = values', () => {
    expect(
      parseLegacyFlags(['-type', 'vm:execute', '-vm-id', 'abc', '-cmd', 'echo', '-args=Hello World']),
    ).toEqual({
      type: 'vm:execute',
      'vm-id': 'abc',
      cmd: 'echo',
      args: 'Hello World',
    });
  });

  it('refuses unknown flags and missing values with a clear message', () => {
    expect(() => parseLegacyFlags(['-type', 'vm:create', '-colour', 'red'])).toThrow(
      /unknown flag "-colour"/,
    );
    expect(() => parseLegacyFlags(['-type'])).toThrow(/needs a value/);
  });
});
