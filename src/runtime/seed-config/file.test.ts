// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings test ${NAME} substitution
/**
 * Config files of the Go version: its four example files as they are, and each of its keys
 * mapped onto ours, ignored with a reason, or refused, with our own keys winning.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_YAML_KEYS } from '../../../test/e2e/seed-config/example-keys.js';
import { AetherError } from '../../core/errors.js';
import { loadConfig } from '../config.js';
import { parseConfigFile } from '../config-file.js';

const FILE = 'old.yaml';
const FIXTURES = new URL('../../../test/e2e/seed-config/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AetherError);
    expect((error as AetherError).code).toBe('ERR_CONFIG');
    return (error as AetherError).message;
  }
  throw new Error('expected an error');
}

const parse = (text: string, env: Record<string, string> = {}) => parseConfigFile(text, FILE, env);
const subjects = (text: string, env: Record<string, string> = {}) =>
  parse(text, env).notices.map((notice) => notice.subject);
const messages = (text: string, env: Record<string, string> = {}) =>
  parse(text, env).notices.map((notice) => notice.message);

/** What the Go version's config.yaml and production.yaml read from the environment. */
const SECRETS = {
  GITHUB_TOKEN: 'ghp_example',
  GITHUB_WEBHOOK_SECRET: 'hook-secret',
  GITHUB_APP_ID: '',
  GITHUB_INSTALLATION_ID: '',
  SLACK_BOT_TOKEN: 'xoxb-example',
  SLACK_SIGNING_SECRET: 'slack-secret',
  DB_PASSWORD: 'p@ss/word',
  REDIS_PASSWORD: '',
  JWT_SECRET: '0123456789abcdef0123456789abcdef',
};

describe("the Go version's example files", () => {
  it('example.yaml: every key mapped or ignored, one notice each, in file order', () => {
    const file = parse(fixture('example.yaml'));
    expect(file.values).toEqual({
      host: 'localhost',
      port: 8080,
      logLevel: 'info',
      databaseUrl: 'postgres://aetherium:aetherium@localhost:5432/aetherium?sslmode=disable',
      redisUrl: 'redis://localhost:6379/0',
      workerConcurrency: '10',
      driver: 'firecracker',
      firecrackerKernel: '/var/firecracker/vmlinux',
      dockerNetwork: 'aetherium',
      logFormat: 'pretty',
    });
    expect(file.notices.map((n) => n.subject)).toEqual(EXAMPLE_YAML_KEYS);
    expect(file.notices[1]!.message).toBe(
      'deprecated key database.host (old.yaml:7): write storage.database_url: postgres://aetherium:***@localhost:5432/aetherium?sslmode=disable instead',
    );
    expect(file.notices[0]!.message).toMatch(
      /^deprecated key server\.mode \(old\.yaml:4\) is ignored: .*; remove it$/,
    );
    expect(file.notices.at(-2)!.message).toBe(
      'deprecated value logging.format: text (old.yaml:42): write logging.format: pretty instead',
    );
    expect(loadConfig({}, {}, '/srv', file)).toMatchObject({ driver: 'firecracker', workerConcurrency: 10 });
  });

  it('config.yaml: providers pick their blocks, the rest are ignored, ${NAME} is substituted', () => {
    const env = {
      ...SECRETS,
      DATABASE_URL: 'postgres://db/app',
      REDIS_URL: 'redis://r:6379/2',
      LOKI_URL: 'http://loki:3100',
    };
    const file = parse(fixture('config.yaml'), env);
    expect(file.values).toMatchObject({
      host: '0.0.0.0',
      port: '8080',
      databaseUrl: 'postgres://db/app',
      redisUrl: 'redis://r:6379/2',
      logProvider: 'loki',
      lokiUrl: 'http://loki:3100',
      logBatchSize: '1000',
      logBatchIntervalMs: 1000,
      driver: 'firecracker',
      firecrackerKernel: '/var/firecracker/vmlinux',
      firecrackerJailerBinary: '/usr/bin/jailer',
      dockerHost: 'unix:///var/run/docker.sock',
      dockerNetwork: 'aetherium-network',
      integrationsEnabled: 'github',
      githubToken: 'ghp_example',
      slackChannel: '#aetherium-agents',
    });
    // The stdout block belongs to a provider not chosen: its format is not ours to take.
    expect(file.values.logFormat).toBeUndefined();
    expect(file.values.eventsRedisUrl).toBeUndefined();
    const said = file.notices.map((n) => n.message);
    expect(said).toContain(
      'deprecated key task_queue.config.rabbitmq (old.yaml:15) is ignored: not used: task_queue.provider is redis; remove it',
    );
    expect(said).toContain(
      'deprecated key integrations.discord (old.yaml:113) is ignored: there is no discord integration (there are github, slack); remove it',
    );
    expect(said).toContain(
      'deprecated value integrations.enabled: [github] (old.yaml:97): write integrations.enabled: github instead',
    );
    expect(said).toContain(
      'deprecated key integrations.github.token (old.yaml:103): write github.token: *** instead',
    );
    expect(new Set(file.notices.map((n) => n.subject)).size).toBe(file.notices.length);
    expect(loadConfig({}, {}, '/srv', file)).toMatchObject({ logProvider: 'loki', githubAppId: '' });
  });

  it('config.yaml names the variable it needs and the line, as any file does', () => {
    expect(errorOf(() => parse(fixture('config.yaml'), {}))).toMatch(
      /old\.yaml:103 \(integrations\.github\.token\): environment variable GITHUB_TOKEN is not set/,
    );
  });

  it('production.yaml: api, tools, events, observability and per-integration switches', () => {
    const file = parse(fixture('production.yaml'), SECRETS);
    expect(file.values).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      databaseUrl: 'postgres://aetherium:p%40ss%2Fword@localhost:5432/aetherium?sslmode=require',
      redisUrl: 'redis://localhost:6379/0',
      eventsRedisUrl: 'redis://localhost:6379/1',
      workerConcurrency: '20',
      logProvider: 'loki',
      logFormat: 'json',
      lokiUrl: 'http://localhost:3100',
      logBatchIntervalMs: 5000,
      defaultTools: 'git,node,bun,claude',
      toolInstallTimeoutMs: 1_200_000,
      integrationsEnabled: 'github,slack',
      githubApiUrl: 'https://api.github.com',
      slackApiUrl: 'https://slack.com/api',
      jwtSecret: SECRETS.JWT_SECRET,
      corsOrigins: 'https://app.aetherium.io,https://dashboard.aetherium.io',
      rateLimitMax: '100',
      rateLimitWindowMs: 60_000,
      metricsPort: '9090',
    });
    const said = file.notices.map((n) => n.message);
    expect(said).toContain(
      'deprecated key api.port (old.yaml:98) is ignored: server.port is set in the same file and wins; remove it',
    );
    expect(said).toContain(
      'deprecated variable DB_PASSWORD: write the password in storage.database_url instead',
    );
    expect(said.filter((m) => m.includes('***'))).toContain(
      'deprecated key api.auth.jwt_secret (old.yaml:102): write auth.jwt_secret: *** instead',
    );
    expect(said.join('\n')).not.toContain(SECRETS.JWT_SECRET);
    expect(said.join('\n')).not.toContain('p%40ss');
    expect(loadConfig({}, {}, '/srv', file).corsOrigins).toBe(
      'https://app.aetherium.io,https://dashboard.aetherium.io',
    );
  });

  it('config.dev.yaml is refused: an in-process queue beside a PostgreSQL store is not a node we run', () => {
    expect(errorOf(() => parse(fixture('config.dev.yaml'), {}))).toBe(
      'config file old.yaml:9: task_queue.provider is memory, but the store is PostgreSQL, and a node on PostgreSQL queues on Redis: set queue.redis_url, or leave out the PostgreSQL address to run embedded',
    );
  });
});

describe("the Go version's keys beside ours", () => {
  it('our key wins, and the old one says it is ignored', () => {
    const file = parse('storage:\n  database_url: postgres://ours/db\ndatabase:\n  host: theirs\n');
    expect(file.values).toEqual({ databaseUrl: 'postgres://ours/db' });
    expect(file.notices.map((n) => n.message)).toEqual([
      'deprecated key database.host (old.yaml:4) is ignored: storage.database_url is set in the same file and wins; remove it',
    ]);
    expect(parse('vmm: { driver: docker, provider: qemu }\n').values).toEqual({ driver: 'docker' });
  });

  it('two old keys that disagree are refused, naming both', () => {
    expect(errorOf(() => parse('vmm:\n  provider: docker\n  default_orchestrator: qemu\n'))).toBe(
      'config file old.yaml:3: vmm.default_orchestrator sets vmm.driver to qemu, but vmm.provider set it otherwise; keep one',
    );
    expect(errorOf(() => parse('database: { host: a }\nstorage: { postgres: { host: b } }\n'))).toMatch(
      /old\.yaml:2: storage\.postgres\.host disagrees with another host of the same address; keep one/,
    );
    expect(parse('vmm:\n  provider: docker\n  default_orchestrator: docker\n').values).toEqual({
      driver: 'docker',
    });
  });

  it('keeps the line numbers of our own keys, in block and flow maps', () => {
    expect(errorOf(() => parse('database:\n  host: a\n  port: 1\nserver:\n  mode: x\n  hots: y\n'))).toBe(
      'config file old.yaml:6: unknown key server.hots (did you mean server.host?)',
    );
    expect(parse('queue: { concurrency: 4, lock_ms: 1000 }\n').values).toEqual({
      workerConcurrency: '4',
      queueLockMs: 1000,
    });
    expect(parse('queue: { lock_ms: 1000, concurrency: 4 }\n').values).toEqual({
      queueLockMs: 1000,
      workerConcurrency: '4',
    });
    expect(parse('queue: {concurrency: 4}\n').values).toEqual({ workerConcurrency: '4' });
  });

  it('still refuses keys that are neither ours nor the old version’s', () => {
    expect(errorOf(() => parse('database:\n  hots: a\n'))).toBe(
      "config file old.yaml:2: unknown key database.hots of the Go version's config (did you mean host?)",
    );
    expect(errorOf(() => parse('vmm:\n  firecracker:\n    kernal_path: /k\n'))).toMatch(
      /vmm\.firecracker\.kernal_path .*did you mean kernel_path\?/,
    );
    expect(errorOf(() => parse('database: { host: a }\nsever: { port: 1 }\n'))).toMatch(
      /old\.yaml:2: unknown section sever/,
    );
    expect(errorOf(() => parse('database: postgres://x\n'))).toBe(
      'config file old.yaml:1: database must be a map of keys (key: value)',
    );
    expect(errorOf(() => parse('vmm:\n  firecracker: fast\n'))).toMatch(
      /vmm\.firecracker must be a map of keys/,
    );
    expect(parse('database:\nredis:\n').values).toEqual({});
    expect(errorOf(() => parse('api:\n  tls: true\n'))).toMatch(
      /unknown key api\.tls of the Go version's config \(it takes host, port, auth, cors, rate_limit\)/,
    );
  });

  it('does not substitute the variables of keys it ignores', () => {
    expect(subjects('integrations:\n  discord:\n    token: ${DISCORD_BOT_TOKEN}\n')).toEqual([
      'integrations.discord',
    ]);
    expect(errorOf(() => parse('database:\n  password: ${PGPASS}\n'))).toBe(
      'config file old.yaml:2 (database.password): environment variable PGPASS is not set; set it, or write ${PGPASS:-default}',
    );
  });
});

describe("addresses in the Go version's parts", () => {
  it('url-encodes user, password and database, and brackets an IPv6 host', () => {
    const file = parse(
      'database:\n  host: "::1"\n  user: "me@x"\n  password: "p@ss:w/rd?#"\n  database: app\n',
    );
    expect(file.values.databaseUrl).toBe(
      'postgres://me%40x:p%40ss%3Aw%2Frd%3F%23@[::1]:5432/app?sslmode=disable',
    );
    expect(new URL(file.values.databaseUrl as string).password).toBe('p%40ss%3Aw%2Frd%3F%23');
    expect(loadConfig({}, {}, '/', file).databaseUrl).toBe(file.values.databaseUrl);
  });

  it('takes a whole URL, but not a URL and parts together', () => {
    expect(parse('storage:\n  postgres:\n    url: postgres://h/d\n').values).toEqual({
      databaseUrl: 'postgres://h/d',
    });
    expect(errorOf(() => parse('storage:\n  postgres:\n    url: postgres://h/d\n    host: x\n'))).toMatch(
      /storage\.postgres\.host cannot be combined with the url of the same address; keep the url/,
    );
  });

  it('applies DB_HOST, DB_PASSWORD, REDIS_ADDR and REDIS_PASSWORD over the file, as the old loader did', () => {
    const file = parse('database: { host: a, user: u, database: d }\nredis: { addr: "a:6379" }\n', {
      DB_HOST: 'db.internal',
      DB_PASSWORD: 's3cret',
      REDIS_ADDR: 'cache:6380',
      REDIS_PASSWORD: 'pw',
    });
    expect(file.values).toEqual({
      databaseUrl: 'postgres://u:s3cret@db.internal:5432/d?sslmode=disable',
      redisUrl: 'redis://:pw@cache:6380',
    });
    expect(file.notices.map((n) => n.subject)).toEqual([
      'DB_HOST',
      'DB_PASSWORD',
      'database.host',
      'database.user',
      'database.database',
      'REDIS_ADDR',
      'REDIS_PASSWORD',
      'redis.addr',
    ]);
  });

  it('refuses an address it cannot read', () => {
    expect(errorOf(() => parse('database: { port: fifty }\n'))).toMatch(
      /old\.yaml:1: database\.port must be a port number, not fifty/,
    );
    expect(errorOf(() => parse('redis: { addr: "no-port" }\n'))).toMatch(
      /redis\.addr must be an address host:port/,
    );
  });
});

describe("the Go version's providers", () => {
  it('refuse a backend we do not have', () => {
    expect(errorOf(() => parse('storage: { provider: mysql }\n'))).toMatch(
      /old\.yaml:1: storage\.provider is mysql: the store is PostgreSQL \(storage\.database_url\) or embedded/,
    );
    expect(errorOf(() => parse('task_queue: { provider: kafka }\n'))).toMatch(
      /task_queue\.provider is kafka: the queue is BullMQ/,
    );
    expect(errorOf(() => parse('event_bus: { provider: nats }\n'))).toMatch(
      /event_bus\.provider is nats: events travel over Redis/,
    );
    expect(errorOf(() => parse('logging: { provider: cloudwatch }\n'))).toMatch(
      /logging\.provider is cloudwatch: logs are shipped to Loki/,
    );
    expect(errorOf(() => parse('vmm: { provider: kata }\n'))).toMatch(
      /vmm\.provider is kata: there is no kata driver; use one of process, docker, qemu, firecracker/,
    );
  });

  it('refuse a server backend chosen without an address, rather than run embedded', () => {
    expect(errorOf(() => parse('storage: { provider: postgres }\n'))).toMatch(
      /storage\.provider is postgres, but no PostgreSQL address is set: set storage\.database_url \(or DATABASE_URL\)/,
    );
    expect(errorOf(() => parse('queue: { provider: asynq }\n'))).toMatch(
      /queue\.provider is asynq, but no Redis address is set/,
    );
    expect(subjects('queue: { provider: asynq }\n', { REDIS_URL: 'redis://r:6379' })).toEqual([
      'queue.provider',
    ]);
    expect(subjects('storage:\n  provider: postgres\n  postgres: { host: db }\n')).toEqual([
      'storage.provider',
      'storage.postgres.host',
    ]);
  });

  it('map the ones we have, and ignore the blocks of those not chosen', () => {
    expect(parse('logging:\n  provider: stdout\n  loki: { url: "http://l:3100" }\n').values).toEqual({
      logProvider: 'local',
    });
    expect(messages('logging:\n  provider: local\n  loki: { url: "http://l:3100" }\n')).toEqual([
      'deprecated key logging.loki (old.yaml:3) is ignored: not used: logging.provider is local; remove it',
    ]);
    expect(parse('logging:\n  loki: { url: "http://l:3100" }\n').values).toEqual({
      lokiUrl: 'http://l:3100',
    });
    expect(parse('storage: { provider: memory }\n').values).toEqual({});
    expect(parse('event_bus: { provider: memory, config: { redis: { url: "${NOPE}" } } }\n').values).toEqual(
      {},
    );
  });
});

describe("the Go version's other dialect (provider plus a block per provider)", () => {
  const helm = `
server:
  host: 0.0.0.0
  port: 8080
  graceful_shutdown: "30s"
vmm:
  provider: docker
  docker:
    socket_path: /var/run/docker.sock
    default_image: "python:3.12-slim"
queue:
  provider: asynq
  asynq:
    redis_addr: redis:6379
    concurrency: 8
    priorities: { critical: 6, low: 1 }
    retry_delay: 5s
storage:
  provider: postgres
  postgres:
    host: pg
    port: 5433
    database: aetherium
    user: aetherium
    password: "s3cret"
    ssl_mode: require
logging:
  provider: loki
  level: debug
  loki:
    url: http://loki:3100
tools:
  default: [git, "nodejs@18", python]
  install_timeout: 1h30m
event_bus:
  provider: redis
  redis:
    addr: redis:6379
`;

  it('reads it into our options', () => {
    const file = parse(helm);
    expect(file.values).toEqual({
      host: '0.0.0.0',
      port: 8080,
      drainTimeoutMs: 30_000,
      driver: 'docker',
      dockerHost: 'unix:///var/run/docker.sock',
      dockerImage: 'python:3.12-slim',
      redisUrl: 'redis://redis:6379',
      workerConcurrency: '8',
      databaseUrl: 'postgres://aetherium:s3cret@pg:5433/aetherium?sslmode=require',
      logProvider: 'loki',
      logLevel: 'debug',
      lokiUrl: 'http://loki:3100',
      defaultTools: 'git,node,python',
      toolInstallTimeoutMs: 5_400_000,
      eventsRedisUrl: 'redis://redis:6379',
    });
    const said = messages(helm);
    expect(said).toContain(
      'deprecated key queue.asynq.retry_delay (old.yaml:17) is ignored: asynq tuning does not apply: the queue is BullMQ; remove it',
    );
    expect(said).toContain(
      'deprecated key queue.asynq.priorities (old.yaml:16) is ignored: tasks are not weighted by priority queues: the queue is BullMQ, one queue per task type; remove it',
    );
    expect(said).toContain(
      'deprecated key tools.default (old.yaml:33): write vmm.default_tools: git,node,python (versions are chosen per VM: nodejs@18 not kept) instead',
    );
    expect(loadConfig({}, {}, '/', file)).toMatchObject({ driver: 'docker', drainTimeoutMs: 30_000 });
  });

  it('refuses a duration it cannot read', () => {
    expect(errorOf(() => parse('tools: { timeout: "20 minutes" }\n'))).toMatch(
      /old\.yaml:1: tools\.timeout must be a duration such as 5s or 20m, not "20 minutes"/,
    );
  });
});

describe("the Go version's integrations, network, API and observability keys", () => {
  it('per-integration switches: on adds it, off ignores its block, an integration we lack is refused when on', () => {
    expect(parse('integrations:\n  slack: { enabled: true, token: x, signing_secret: y }\n').values).toEqual({
      integrationsEnabled: 'slack',
      slackBotToken: 'x',
      slackSigningSecret: 'y',
    });
    expect(parse('integrations:\n  github: { enabled: false, token: x }\n').values).toEqual({});
    expect(errorOf(() => parse('integrations:\n  jira: { enabled: true }\n'))).toMatch(
      /integrations\.jira is enabled, but there is no jira integration \(there are github, slack\)/,
    );
    expect(
      parse('integrations:\n  enabled: github\n  config:\n    github: { token: t, enabled: true }\n').values,
    ).toEqual({
      integrationsEnabled: 'github',
      githubToken: 't',
    });
    expect(
      errorOf(() => loadConfig({}, {}, '/', parse('integrations:\n  enabled: [github, discord]\n'))),
    ).toMatch(
      /integrationsEnabled \(old\.yaml:integrations\.enabled="github,discord"\): must list integrations among github, slack/,
    );
  });

  it('network: bridge keys map, an enabled egress proxy is refused', () => {
    expect(
      parse('network:\n  bridge_name: br0\n  bridge_ip: 10.1.0.1/24\n  subnet_cidr: 10.1.0.0/24\n').values,
    ).toEqual({
      networkBridge: 'br0',
      networkCidr: '10.1.0.1/24',
    });
    expect(errorOf(() => parse('network:\n  proxy: { enabled: true, whitelist_mode: enforce }\n'))).toMatch(
      /network\.proxy is enabled, but there is no egress proxy with a domain allowlist/,
    );
    expect(subjects('network:\n  proxy: { enabled: false, port: 3128 }\n')).toEqual(['network.proxy']);
  });

  it('api and observability: limits, a metrics port only when metrics are on', () => {
    expect(messages('api:\n  rate_limit: { enabled: false, requests_per_minute: 50 }\n')[1]).toMatch(
      /api\.rate_limit\.enabled \(old\.yaml:2\) is ignored: the rate limit cannot be turned off/,
    );
    expect(parse('observability:\n  metrics: { enabled: false, port: 9090 }\n').values).toEqual({});
    expect(
      parse('observability:\n  metrics: { enabled: true, port: 9090, path: /stats }\n').notices.map(
        (n) => n.message,
      ),
    ).toContain(
      'deprecated key observability.metrics.path (old.yaml:2) is ignored: metrics are served at /metrics, not /stats; remove it',
    );
  });
});
