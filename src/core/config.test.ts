import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { AetherError } from './errors.js';

describe('loadConfig', () => {
  it('uses defaults, resolves the data dir and freezes the result', () => {
    const config = loadConfig({}, {}, '/srv');
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe('/srv/.aether');
    expect(config.outputLimitBytes).toBe(1024 * 1024);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('prefers flags over env over defaults', () => {
    expect(loadConfig({ AETHER_PORT: '9000' }).port).toBe(9000);
    expect(loadConfig({ AETHER_PORT: '9000' }, { port: '9100' }).port).toBe(9100);
  });

  it('names the variable and the problem when a value is bad', () => {
    expect(() => loadConfig({ AETHER_PORT: 'eighty' })).toThrow(AetherError);
    expect(() => loadConfig({ AETHER_PORT: 'eighty' })).toThrow(/AETHER_PORT="eighty"/);
    expect(() => loadConfig({ AETHER_DRIVER: 'vmware' })).toThrow(/AETHER_DRIVER/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/postgres:\/\//);
  });
});
