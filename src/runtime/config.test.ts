import { describe, expect, it } from 'vitest';
import { AetherError } from '../core/errors.js';
import { configSettingName, configSource, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses defaults, resolves the data dir and freezes the result', () => {
    const config = loadConfig({}, {}, '/srv');
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe('/srv/.aether');
    expect(config.outputLimitBytes).toBe(1024 * 1024);
    expect(config).toMatchObject({
      heartbeatIntervalMs: 5000,
      workerLeaseMs: 15_000,
      workerGraceMs: 30_000,
      queueLockMs: 30_000,
      reconcileIntervalMs: 30_000,
      drainTimeoutMs: 30_000,
      eventsRedisUrl: '',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('prefers flags over env over defaults', () => {
    expect(loadConfig({ AETHER_PORT: '9000' }).port).toBe(9000);
    expect(loadConfig({ AETHER_PORT: '9000' }, { port: '9100' }).port).toBe(9100);
    expect(loadConfig({ AETHER_QUEUE_LOCK_MS: '45000' }).queueLockMs).toBe(45_000);
    expect(loadConfig({ AETHER_EVENTS_REDIS_URL: 'redis://events:6379' }).eventsRedisUrl).toBe(
      'redis://events:6379',
    );
  });

  it('names the variable and the problem when a value is bad', () => {
    expect(() => loadConfig({ AETHER_PORT: 'eighty' })).toThrow(AetherError);
    expect(() => loadConfig({ AETHER_PORT: 'eighty' })).toThrow(/AETHER_PORT="eighty"/);
    expect(() => loadConfig({ AETHER_DRIVER: 'vmware' })).toThrow(/AETHER_DRIVER/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/postgres:\/\//);
    expect(() => loadConfig({ AETHER_DRAIN_TIMEOUT_MS: '-1' })).toThrow(/AETHER_DRAIN_TIMEOUT_MS="-1"/);
    expect(() => loadConfig({ AETHER_EVENTS_REDIS_URL: 'http://x' })).toThrow(
      /eventsRedisUrl \(AETHER_EVENTS_REDIS_URL="http:\/\/x"\): must be a redis:\/\/ URL/,
    );
    expect(() => loadConfig({ REDIS_URL: 'redis://[bad' })).toThrow(/REDIS_URL/);
  });

  it('keeps the metrics listener off unless a port is set, on loopback by default', () => {
    expect(loadConfig({})).toMatchObject({ metricsPort: null, metricsHost: '127.0.0.1' });
    expect(loadConfig({ AETHER_METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(loadConfig({ AETHER_METRICS_PORT: '9464' }, { metricsPort: '0' }).metricsPort).toBe(0);
    for (const bad of ['70000', 'http', '-1']) {
      expect(() => loadConfig({ AETHER_METRICS_PORT: bad })).toThrow(/metricsPort \(AETHER_METRICS_PORT=/);
    }
  });

  it('names the flag when a flag is bad', () => {
    expect(() => loadConfig({}, { port: 'x' })).toThrow(/port \(--port="x"\)/);
    expect(() => loadConfig({}, { logLevel: 'loud' })).toThrow(/logLevel \(--log-level="loud"\)/);
  });

  it('masks a password in a URL it reports', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(/"mysql:\/\/u:\*\*\*@h\/db"/);
  });

  it('requires heartbeat < lease < grace, naming both variables', () => {
    expect(() => loadConfig({ AETHER_WORKER_LEASE_MS: '30000' })).toThrow(
      'invalid configuration: workerLeaseMs (AETHER_WORKER_LEASE_MS="30000") must be less than workerGraceMs (AETHER_WORKER_GRACE_MS=30000): a worker must give up its VMs before other nodes declare it dead',
    );
    expect(() => loadConfig({ AETHER_HEARTBEAT_INTERVAL_MS: '20000' })).toThrow(
      /heartbeatIntervalMs \(AETHER_HEARTBEAT_INTERVAL_MS="20000"\) must be less than workerLeaseMs \(AETHER_WORKER_LEASE_MS=15000\)/,
    );
    expect(
      loadConfig({
        AETHER_HEARTBEAT_INTERVAL_MS: '100',
        AETHER_WORKER_LEASE_MS: '300',
        AETHER_WORKER_GRACE_MS: '600',
      }).workerGraceMs,
    ).toBe(600);
  });
});

describe('configSource and configSettingName', () => {
  const file = { path: 'a.yaml', values: { port: 9000, host: '' } };

  it('say where a value came from and where to change it', () => {
    expect(configSource('port', {}, { port: '1' }, file)).toBe('flag');
    expect(configSource('port', { AETHER_PORT: '2' }, {}, file)).toBe('file');
    expect(configSource('host', { AETHER_HOST: 'h' }, {}, file)).toBe('env');
    expect(configSource('databaseUrl', { DATABASE_URL: '' }, {}, file)).toBe('default');
    expect(configSettingName('dataDir', 'flag')).toBe('--data-dir');
    expect(configSettingName('databaseUrl', 'file', 'a.yaml')).toBe('a.yaml:storage.database_url');
    expect(configSettingName('databaseUrl', 'env')).toBe('DATABASE_URL');
    expect(configSettingName('databaseUrl', 'default')).toBe('DATABASE_URL');
  });
});
