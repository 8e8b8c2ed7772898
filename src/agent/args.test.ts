import { describe, expect, it } from 'vitest';
import { parseAgentArgs } from './args.js';

describe('agent arguments', () => {
  it('takes exactly one channel, and a home', () => {
    expect(parseAgentArgs(['--listen', '/run/a.sock'])).toEqual({
      channel: { kind: 'listen', path: '/run/a.sock' },
      home: '/home/user',
      lifelineFd: null,
    });
    expect(parseAgentArgs(['--serial', '/dev/vport0p1', '--home', '/root'])).toEqual({
      channel: { kind: 'serial', path: '/dev/vport0p1' },
      home: '/root',
      lifelineFd: null,
    });
    expect(parseAgentArgs(['--listen', '/run/a.sock', '--lifeline-fd', '0']).lifelineFd).toBe(0);
    expect(parseAgentArgs(['--serial-name', 'aether.agent']).channel).toEqual({
      kind: 'serial-name',
      name: 'aether.agent',
    });
    expect(parseAgentArgs(['--serial-fd', '3']).channel).toEqual({ kind: 'serial-fd', fd: 3 });
  });

  it('refuses what it does not understand', () => {
    expect(() => parseAgentArgs([])).toThrow(/exactly one channel/);
    expect(() => parseAgentArgs(['--listen', 'a', '--serial', 'b'])).toThrow(/exactly one channel/);
    expect(() => parseAgentArgs(['--ready'])).toThrow(/unknown argument --ready/);
    expect(() => parseAgentArgs(['--serial'])).toThrow(/--serial needs a value/);
    expect(() => parseAgentArgs(['--serial-fd', '1'])).toThrow(/>= 3/);
    expect(() => parseAgentArgs(['--serial-fd', 'x'])).toThrow(/>= 3/);
    expect(() => parseAgentArgs(['--listen', 'a', '--lifeline-fd', '-1'])).toThrow(/>= 0/);
  });
});
