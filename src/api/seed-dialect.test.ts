import { describe, expect, it } from 'vitest';
import { bodyFromSeed, priorityFromSeed } from './seed-dialect.js';

describe("the original system's request dialect", () => {
  it('maps memory_mb to memory_mib, and refuses both given differently', () => {
    expect(bodyFromSeed('createVm', { name: 'a', memory_mb: 2048 })).toEqual({ name: 'a', memory_mib: 2048 });
    expect(bodyFromSeed('createVm', { name: 'a', memory_mb: 512, memory_mib: 512 })).toEqual({
      name: 'a',
      memory_mib: 512,
    });
    expect(() => bodyFromSeed('createVm', { name: 'a', memory_mb: 512, memory_mib: 1024 })).toThrow(
      /memory_mb and memory_mib name the same value and differ \(512, 1024\); send only memory_mib/,
    );
    expect(() => bodyFromSeed('createVm', { name: 'a', memory_mb: '2G' })).toThrow(
      /memory_mb: must be a whole number/,
    );
  });

  it("maps the original's 0-10 priorities onto the bands its queue used", () => {
    expect([0, 1, 2, 4, 5, 7, 8, 10].map(priorityFromSeed)).toEqual([
      'default',
      'low',
      'default',
      'default',
      'high',
      'high',
      'critical',
      'critical',
    ]);
    for (const bad of [-1, 11, 2.5])
      expect(() => priorityFromSeed(bad)).toThrow(/0 to 10 \(0 default, 1 low/);
    expect(bodyFromSeed('executeCommand', { command: 'ls', priority: 8 })).toEqual({
      command: 'ls',
      priority: 'critical',
    });
    expect(bodyFromSeed('runJob', { name: 'j', steps: [], priority: 'low' })).toMatchObject({
      priority: 'low',
    });
  });

  it("maps the original's tool names, and `latest` to the tool named without a version", () => {
    expect(
      bodyFromSeed('createVm', {
        name: 'a',
        additional_tools: ['go', 'nodejs', 'claude-code'],
        tool_versions: { nodejs: '20', go: '1.23.0', rust: 'latest', git: 'latest' },
      }),
    ).toEqual({
      name: 'a',
      additional_tools: ['go', 'node', 'claude', 'rust', 'git'],
      tool_versions: { node: '20', go: '1.23.0' },
    });
    expect(bodyFromSeed('createVm', { name: 'a', tool_versions: { python: 'latest' } })).toEqual({
      name: 'a',
      additional_tools: ['python'],
    });
    // Our own names pass as they are.
    const ours = { name: 'a', additional_tools: ['node'], tool_versions: { node: '22' } };
    expect(bodyFromSeed('createVm', ours)).toEqual(ours);
  });

  it('refuses a tool with no counterpart naming what to do, and two versions of one tool', () => {
    expect(() => bodyFromSeed('createVm', { name: 'a', additional_tools: ['go', 'docker'] })).toThrow(
      /additional_tools: tool "docker" has no counterpart here: .*"driver": "docker"/,
    );
    expect(() => bodyFromSeed('createVm', { name: 'a', tool_versions: { docker: 'latest' } })).toThrow(
      /tool_versions: tool "docker"/,
    );
    expect(() =>
      bodyFromSeed('createVm', { name: 'a', tool_versions: { nodejs: '20', node: '22' } }),
    ).toThrow(/two names of node ask for different versions/);
  });

  it("maps the original's log query fields", () => {
    expect(
      bodyFromSeed('queryLogs', {
        vm_id: 'v',
        level: 'error',
        search_text: 'failed',
        start_time: 1696512000000,
        end_time: 1696598400000,
        limit: 100,
      }),
    ).toEqual({
      vm_id: 'v',
      level: 'error',
      text: 'failed',
      start: '2023-10-05T13:20:00.000Z',
      end: '2023-10-06T13:20:00.000Z',
      limit: 100,
    });
    expect(() => bodyFromSeed('queryLogs', { start_time: 'yesterday' })).toThrow(
      /start_time: must be milliseconds/,
    );
    expect(() => bodyFromSeed('queryLogs', { component: 'github' })).toThrow(/component: logs are not filed/);
  });

  it('leaves other operations and bodies that are not objects alone', () => {
    expect(bodyFromSeed('createKey', { memory_mb: 1 })).toEqual({ memory_mb: 1 });
    expect(bodyFromSeed(undefined, { memory_mb: 1 })).toEqual({ memory_mb: 1 });
    expect(bodyFromSeed('createVm', ['x'])).toEqual(['x']);
    expect(bodyFromSeed('constructor', { memory_mb: 1 })).toEqual({ memory_mb: 1 });
  });
});
