import { describe, expect, it } from 'vitest';
import {
  isLegacyInvocation,
  legacyArgs,
  legacyTools,
  legacyToolVersions,
  parseLegacyFlags,
} from './legacy.js';

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

  it('takes -tools and -tool-versions as the original did', () => {
    expect(
      parseLegacyFlags([
        '-type',
        'vm:create',
        '-name',
        'x',
        '-tools',
        'go,python',
        '-tool-versions',
        'go=1.23.0',
      ]),
    ).toEqual({ type: 'vm:create', name: 'x', tools: 'go,python', 'tool-versions': 'go=1.23.0' });
    expect(legacyTools('go, python ,rust,')).toEqual(['go', 'python', 'rust']);
    expect(legacyTools(undefined)).toEqual([]);
    // Its code split on `=`; one of its guides wrote `:`.
    expect(legacyToolVersions('go=1.23.0,python=3.11')).toEqual({ go: '1.23.0', python: '3.11' });
    expect(legacyToolVersions('go:1.23.0, python:3.11.2')).toEqual({ go: '1.23.0', python: '3.11.2' });
    expect(legacyToolVersions('rust=latest')).toEqual({ rust: 'latest' });
    expect(() => legacyToolVersions('go')).toThrow(/tool=version pairs.*"go"/);
    expect(() => legacyToolVersions('go=1=2')).toThrow(/tool=version pairs/);
  });

  it('splits -args on commas, so an argument keeps its spaces', () => {
    expect(legacyArgs('clone,https://github.com/user/repo')).toEqual([
      'clone',
      'https://github.com/user/repo',
    ]);
    expect(legacyArgs('-c,cd /root/veil && claude-code')).toEqual(['-c', 'cd /root/veil && claude-code']);
    expect(legacyArgs('Hello World')).toEqual(['Hello World']);
    expect(legacyArgs(undefined)).toEqual([]);
  });
});
