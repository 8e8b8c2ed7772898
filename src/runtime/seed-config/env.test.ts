// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings test ${NAME} substitution
/**
 * The Go version's environment variables: each turned into ours (or ignored, saying why), ours
 * winning where both are set, and the whole order flags > file > env > defaults kept.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AetherError } from '../../core/errors.js';
import { resolveConfig } from '../config-file.js';
import { translateLegacyEnv } from './env.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aether-legacy-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withFile(name: string, text: string): string {
  writeFileSync(path.join(dir, name), text);
  return name;
}

const said = (env: Record<string, string>) => translateLegacyEnv(env).notices.map((notice) => notice.message);

describe('translateLegacyEnv', () => {
  it('makes DATABASE_URL from POSTGRES_*, with the old defaults and the password URL-encoded', () => {
    const { env, origins } = translateLegacyEnv({
      POSTGRES_HOST: 'db',
      POSTGRES_PASSWORD: 'p@ss:w/rd',
      POSTGRES_DB: 'app',
    });
    expect(env.DATABASE_URL).toBe('postgres://aetherium:p%40ss%3Aw%2Frd@db:5432/app?sslmode=disable');
    expect(origins.DATABASE_URL).toEqual(['POSTGRES_HOST', 'POSTGRES_PASSWORD', 'POSTGRES_DB']);
    expect(said({ POSTGRES_HOST: 'db', POSTGRES_PORT: '6432', POSTGRES_USER: 'u' })).toEqual([
      'deprecated variable POSTGRES_HOST: write DATABASE_URL=postgres://u:***@db:6432/aetherium?sslmode=disable instead',
      'deprecated variable POSTGRES_PORT: write DATABASE_URL=postgres://u:***@db:6432/aetherium?sslmode=disable instead',
      'deprecated variable POSTGRES_USER: write DATABASE_URL=postgres://u:***@db:6432/aetherium?sslmode=disable instead',
    ]);
  });

  it('leaves POSTGRES_* alone without POSTGRES_HOST: those are what the PostgreSQL image reads', () => {
    expect(translateLegacyEnv({ POSTGRES_PASSWORD: 'x', POSTGRES_DB: 'y' })).toEqual({
      env: { POSTGRES_PASSWORD: 'x', POSTGRES_DB: 'y' },
      notices: [],
      origins: {},
    });
  });

  it('lets our variable win, and says so', () => {
    const { env } = translateLegacyEnv({
      DATABASE_URL: 'postgres://ours/x',
      POSTGRES_HOST: 'db',
      PORT: '1',
      AETHER_PORT: '2',
    });
    expect(env).toMatchObject({ DATABASE_URL: 'postgres://ours/x', AETHER_PORT: '2' });
    expect(said({ DATABASE_URL: 'postgres://ours/x', POSTGRES_HOST: 'db' })).toEqual([
      'deprecated variable POSTGRES_HOST is ignored: DATABASE_URL is set and wins',
    ]);
  });

  it('makes REDIS_URL from REDIS_ADDR and REDIS_PASSWORD', () => {
    expect(translateLegacyEnv({ REDIS_ADDR: 'cache:6380', REDIS_PASSWORD: 'p w' }).env.REDIS_URL).toBe(
      'redis://:p%20w@cache:6380',
    );
    expect(translateLegacyEnv({ REDIS_PASSWORD: 'x' }).env.REDIS_URL).toBeUndefined();
    expect(() => translateLegacyEnv({ REDIS_ADDR: 'redis://cache' })).toThrow(
      new AetherError(
        'ERR_CONFIG',
        `invalid environment (the Go version's variables): REDIS_ADDR="redis://cache": must be host:port`,
      ),
    );
  });

  it('turns Loki on from LOKI_URL unless a log provider is chosen', () => {
    expect(translateLegacyEnv({ LOKI_URL: 'http://loki:3100' }).env).toMatchObject({
      AETHER_LOKI_URL: 'http://loki:3100',
      AETHER_LOG_PROVIDER: 'loki',
    });
    expect(said({ LOKI_URL: 'http://loki:3100' })).toEqual([
      'deprecated variable LOKI_URL: write AETHER_LOG_PROVIDER=loki and AETHER_LOKI_URL=http://loki:3100 instead',
    ]);
    expect(
      translateLegacyEnv({ LOKI_URL: 'http://l', AETHER_LOG_PROVIDER: 'local' }).env.AETHER_LOG_PROVIDER,
    ).toBe('local');
  });

  it('renames the rest, converting seconds, durations and tool names', () => {
    expect(
      translateLegacyEnv({
        PORT: '9000',
        WORKER_ID: 'w-1',
        KERNEL_PATH: '/k/vmlinux',
        HEARTBEAT_INTERVAL_SECONDS: '3',
        IDLE_CHECK_INTERVAL_SECONDS: '60',
        AETHERIUM_DEFAULT_TOOLS: 'git,nodejs,bun,claude-code',
        AETHERIUM_TOOL_TIMEOUT: '20m',
      }).env,
    ).toMatchObject({
      AETHER_PORT: '9000',
      AETHER_WORKER_ID: 'w-1',
      AETHER_KERNEL: '/k/vmlinux',
      AETHER_HEARTBEAT_INTERVAL_MS: '3000',
      AETHER_LIFETIME_CHECK_INTERVAL_MS: '60000',
      AETHER_DEFAULT_TOOLS: 'git,node,bun,claude',
      AETHER_TOOL_INSTALL_TIMEOUT_MS: '1200000',
    });
    expect(() => translateLegacyEnv({ HEARTBEAT_INTERVAL_SECONDS: '2.5' })).toThrow(
      /HEARTBEAT_INTERVAL_SECONDS="2\.5": must be whole seconds/,
    );
    expect(() => translateLegacyEnv({ AETHERIUM_TOOL_TIMEOUT: 'soon' })).toThrow(
      /must be a duration such as 20m/,
    );
  });

  it('says why it ignores the ones with no counterpart', () => {
    expect(said({ CONSUL_ADDR: 'consul:8500', WORKER_ZONE: 'eu' })).toEqual([
      'deprecated variable CONSUL_ADDR is ignored: workers register in the database; there is no Consul',
      'deprecated variable WORKER_ZONE is ignored: placement goes by load, not zones',
    ]);
  });
});

describe('resolveConfig with the Go version’s variables', () => {
  it('keeps flags > file > env > defaults, with our variables above the old ones', () => {
    expect(resolveConfig({ env: { PORT: '9000' }, cwd: dir }).config.port).toBe(9000);
    expect(resolveConfig({ env: { PORT: '9000', AETHER_PORT: '9100' }, cwd: dir }).config.port).toBe(9100);
    const file = withFile('port.yaml', 'server: { port: 9200 }\n');
    expect(resolveConfig({ env: { PORT: '9000' }, configPath: file, cwd: dir }).config.port).toBe(9200);
    expect(
      resolveConfig({ env: { PORT: '9000' }, flags: { port: '9300' }, configPath: file, cwd: dir }).config
        .port,
    ).toBe(9300);
  });

  it('names the old variables where a value came from them', () => {
    const resolved = resolveConfig({
      env: { POSTGRES_HOST: 'db', POSTGRES_DB: 'app', REDIS_ADDR: 'r:6379' },
      cwd: dir,
    });
    expect(resolved.config.databaseUrl).toBe('postgres://aetherium:aetherium@db:5432/app?sslmode=disable');
    expect(resolved.settingName('databaseUrl')).toBe('POSTGRES_HOST, POSTGRES_DB');
    expect(resolved.settingName('redisUrl')).toBe('REDIS_ADDR');
    expect(resolved.settingName('port')).toBe('AETHER_PORT');
  });

  it('names the old keys where a value came from them, in settings and in errors', () => {
    const file = withFile('db.yaml', 'database:\n  host: db\n  port: 99999\n');
    const resolved = () => resolveConfig({ env: {}, configPath: file, cwd: dir });
    expect(resolved).toThrow(
      /databaseUrl \(db\.yaml:storage\.database_url="postgres:\/\/db:99999\/\?sslmode=disable"\): must be a postgres:\/\/ URL \(db\.yaml:storage\.database_url was read from database\.host, database\.port\)/,
    );
    const good = withFile('db-good.yaml', 'database:\n  host: db\n  port: 5433\n');
    expect(resolveConfig({ env: {}, configPath: good, cwd: dir }).settingName('databaseUrl')).toBe(
      'db-good.yaml:database.host, database.port',
    );
  });

  it('substitutes ${NAME} from what the old variables make, and says each notice once', () => {
    const file = withFile(
      'subst.yaml',
      'storage:\n  config:\n    postgres:\n      url: ${DATABASE_URL:-postgres://fallback/x}\nredis:\n  addr: "a:1"\n',
    );
    const resolved = resolveConfig({
      env: { POSTGRES_HOST: 'db', REDIS_ADDR: 'b:2' },
      configPath: file,
      cwd: dir,
    });
    expect(resolved.config.databaseUrl).toBe(
      'postgres://aetherium:aetherium@db:5432/aetherium?sslmode=disable',
    );
    expect(resolved.config.redisUrl).toBe('redis://b:2');
    const subjects = resolved.notices.map((notice) => notice.subject);
    expect(subjects).toEqual(['POSTGRES_HOST', 'REDIS_ADDR', 'storage.config.postgres.url', 'redis.addr']);
  });

  it('has no notices for a file and environment of our own', () => {
    const file = withFile('ours.yaml', 'server: { port: 9200 }\n');
    expect(
      resolveConfig({ env: { DATABASE_URL: 'postgres://h/d' }, configPath: file, cwd: dir }).notices,
    ).toEqual([]);
  });
});
