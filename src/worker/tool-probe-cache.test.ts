import { describe, expect, it } from 'vitest';
import { ToolProbeCache } from './tool-probe-cache.js';

const installers = { npm: true, mise: false };

describe('what fresh VMs of an image have, remembered', () => {
  it('answers for the tools it was told about, and nothing else', () => {
    const cache = new ToolProbeCache();
    cache.remember('process:default', {
      tools: new Map([
        ['git', '2.39.5'],
        ['bun', null],
      ]),
      installers,
    });
    expect(cache.get('process:default', ['git', 'bun'])?.tools.get('git')).toBe('2.39.5');
    expect(cache.get('process:default', ['git', 'node'])).toBeNull();
    expect(cache.get('docker:default', ['git'])).toBeNull();
  });

  it('adds later probes of the same image to what it knows', () => {
    const cache = new ToolProbeCache();
    cache.remember('i', { tools: new Map([['git', '2']]), installers });
    cache.remember('i', { tools: new Map([['node', '20.1.0']]), installers });
    expect(cache.get('i', ['git', 'node'])?.tools).toEqual(
      new Map([
        ['git', '2'],
        ['node', '20.1.0'],
      ]),
    );
  });

  it('forgets after its time, so an image changed in place is probed again', () => {
    let now = 0;
    const cache = new ToolProbeCache(1000, () => now);
    cache.remember('i', { tools: new Map([['git', '2']]), installers });
    now = 1000;
    expect(cache.get('i', ['git'])).not.toBeNull();
    now = 1001;
    expect(cache.get('i', ['git'])).toBeNull();
  });
});
