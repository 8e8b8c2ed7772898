// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings test ${NAME} substitution
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closest, substituteEnv } from '../core/config/config-file.js';
import { AetherError } from '../core/errors.js';
import { CONFIG_OPTIONS, loadConfig } from './config.js';
import { CONFIG_SECTIONS, parseConfigFile } from './config-file.js';

const FILE = 'aether.yaml';

function errorOf(fn: () => unknown): AetherError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AetherError);
    expect((error as AetherError).code).toBe('ERR_CONFIG');
    return error as AetherError;
  }
  throw new Error('expected an error');
}

describe('substituteEnv', () => {
  const env = { HOST: 'db.example', EMPTY: '' };

  it('replaces ${NAME} and ${NAME:-default}', () => {
    expect(substituteEnv('postgres://${HOST}/x', env, 'w')).toBe('postgres://db.example/x');
    expect(substituteEnv('${MISSING:-fallback}', env, 'w')).toBe('fallback');
    expect(substituteEnv('${EMPTY:-fallback}', env, 'w')).toBe('fallback');
    expect(substituteEnv('${HOST:-fallback}', env, 'w')).toBe('db.example');
    expect(substituteEnv('${MISSING:-}', env, 'w')).toBe('');
    expect(substituteEnv('${EMPTY}', env, 'w')).toBe('');
  });

  it('keeps $${ as a literal ${ and leaves other dollars alone', () => {
    expect(substituteEnv('$${HOST}', env, 'w')).toBe('${HOST}');
    expect(substituteEnv('a$b $ $HOST', env, 'w')).toBe('a$b $ $HOST');
  });

  it('does not substitute twice (a value cannot smuggle in another reference)', () => {
    expect(substituteEnv('${A}', { A: '${HOST}' }, 'w')).toBe('${HOST}');
  });

  it('names the variable and the place when it is unset, or the reference is malformed', () => {
    expect(errorOf(() => substituteEnv('${NOPE}', env, 'f.yaml:3 (x.y)')).message).toBe(
      'f.yaml:3 (x.y): environment variable NOPE is not set; set it, or write ${NOPE:-default}',
    );
    expect(errorOf(() => substituteEnv('${1BAD}', env, 'w')).message).toMatch(/\$\{1BAD\} is not \$\{NAME\}/);
    expect(errorOf(() => substituteEnv('abc${HOST', env, 'w')).message).toMatch(/without a closing/);
  });
});

describe('parseConfigFile', () => {
  it('maps every section key to its option', () => {
    const text = `
server:
  host: 0.0.0.0
  port: 9000
  body_limit_bytes: 2048
  wait_timeout_ms: 1000
  request_timeout_ms: 5000
  rate_limit_max: 10
  rate_limit_window_ms: 1000
  cors_origins: https://app.example.com
  public_url: https://aether.example.com
  preview_domain: preview.example.com
  dashboard_dir: /srv/dashboard
storage: { database_url: "postgres://db/x", data_dir: /srv/aether }
queue: { redis_url: "redis://r:6379", embedded: bullmq, lock_ms: 40000, reconcile_interval_ms: 5000 }
event_bus: { redis_url: "redis://events:6379" }
vmm:
  driver: process
  warm_pool_size: 0
  create_timeout_ms: 1
  default_tools: git,python
  tool_install_timeout_ms: 60000
  tool_ca_file: /etc/ssl/certs/ca-certificates.crt
  execute_timeout_ms: 2
  delete_timeout_ms: 3
  output_limit_bytes: 4
  drivers: process,docker
  image_dir: /srv/images
  default_ttl_seconds: 3600
  default_idle_timeout_seconds: 600
  default_on_expiry: delete
  lifetime_check_interval_ms: 2000
process: { limits: off, pids_limit: 256, tmp_size_mib: 64, home_size_mib: 1024 }
docker: { host: "unix:///run/docker.sock", image: "python:3.12-slim", network: aether-net }
qemu: { accel: tcg, image: 0123456789ab, network: tap, warm_pool_size: 3 }
network:
  bridge: br-test
  cidr: 10.20.0.1/16
  egress_block_private: false
  egress_allow: 10.20.0.0/24,192.0.2.7
  dns: 10.20.0.53
  taps: pool
  tap_user: 1000
firecracker:
  binary: /opt/fc/firecracker
  kernel: /srv/kernels/vmlinux
  image: 0123456789ab
  jailer: false
  jailer_binary: /opt/fc/jailer
  chroot_base: /srv/jails
  jailer_uid_base: 500000
worker:
  id: w-1
  concurrency: 4
  heartbeat_interval_ms: 1000
  lease_ms: 3000
  grace_ms: 9000
  drain_timeout_ms: 7000
  health_interval_ms: 3000
  terminal_detach_grace_ms: 120000
  max_terminals_per_vm: 8
  tunnel_idle_timeout_ms: 30000
  max_tunnels_per_vm: 64
cluster:
  secret: 0123456789abcdef0123456789abcdef
  data_plane_listen: 10.0.0.7:8091
  data_plane_address: http://10.0.0.7:8091
metrics: { port: 9464, host: 0.0.0.0, per_vm: true }
logging:
  level: debug
  format: json
  provider: loki
  loki_url: http://loki:3100
  loki_tenant: team-a
  loki_basic_auth: "user:secret"
  batch_size: 50
  batch_interval_ms: 1000
  buffer_lines: 500
  store_max_rows: 1000
  store_output_max_rows: 300
  store_max_age_ms: 60000
auth:
  mode: on
  credentials_file: /srv/credentials.json
  jwt_secret: 0123456789abcdef0123456789abcdef
  jwt_public_key: ""
  jwt_jwks_url: https://login.example.com/jwks.json
  jwt_issuer: https://login.example.com
  jwt_audience: aetherium
  jwt_algorithms: HS256
  jwt_project_claim: project
  jwt_admin_scope: aether:admin
  session_ttl_seconds: 3600
  quota_vms: 5
  quota_vcpus: 10
  quota_memory_mib: 4096
  quota_projects: ci=1/2/1024
integrations:
  enabled: github,slack
  project: ci
  subscriptions: task.failed=slack
github:
  token: ghp_example
  webhook_secret: hook-secret
  app_id: 12345
  app_private_key: "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----"
  app_installation_id: 678
  api_url: https://github.example.com/api/v3
  check_command: npm test
  repositories: acme/widgets
slack:
  bot_token: xoxb-example
  signing_secret: slack-secret
  api_url: https://slack.example.com/api
  channel: C0123456789
webhooks:
  allow_private: true
  allow_cidrs: 10.0.0.0/8,fd00::/8
  timeout_ms: 5000
  retry_base_ms: 100
  retry_max_ms: 1000
  retry_for_ms: 60000
  poll_interval_ms: 200
`;
    const file = parseConfigFile(text, FILE, {});
    expect(Object.keys(file.values).sort()).toEqual(Object.keys(CONFIG_OPTIONS).sort());
    const config = loadConfig({}, {}, '/', file);
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      databaseUrl: 'postgres://db/x',
      dataDir: '/srv/aether',
      embeddedQueue: 'bullmq',
      queueLockMs: 40_000,
      eventsRedisUrl: 'redis://events:6379',
      warmPoolSize: 0,
      defaultTtlSeconds: 3600,
      defaultIdleTimeoutSeconds: 600,
      defaultOnExpiry: 'delete',
      lifetimeCheckIntervalMs: 2000,
      processLimits: 'off',
      processPidsLimit: 256,
      processTmpSizeMib: 64,
      processHomeSizeMib: 1024,
      drivers: 'process,docker',
      dockerHost: 'unix:///run/docker.sock',
      dockerImage: 'python:3.12-slim',
      dockerNetwork: 'aether-net',
      imageDir: '/srv/images',
      qemuAccel: 'tcg',
      qemuImage: '0123456789ab',
      qemuNetwork: 'tap',
      qemuWarmPoolSize: 3,
      networkBridge: 'br-test',
      networkCidr: '10.20.0.1/16',
      networkEgressBlockPrivate: false,
      networkEgressAllow: '10.20.0.0/24,192.0.2.7',
      networkDns: '10.20.0.53',
      networkTaps: 'pool',
      networkTapUser: '1000',
      firecrackerBinary: '/opt/fc/firecracker',
      firecrackerKernel: '/srv/kernels/vmlinux',
      firecrackerImage: '0123456789ab',
      firecrackerJailer: false,
      firecrackerJailerBinary: '/opt/fc/jailer',
      firecrackerChrootBase: '/srv/jails',
      firecrackerJailerUidBase: 500_000,
      workerId: 'w-1',
      workerLeaseMs: 3000,
      healthIntervalMs: 3000,
      drainTimeoutMs: 7000,
      terminalDetachGraceMs: 120_000,
      maxTerminalsPerVm: 8,
      tunnelIdleTimeoutMs: 30_000,
      maxTunnelsPerVm: 64,
      clusterSecret: '0123456789abcdef0123456789abcdef',
      dataPlaneListen: '10.0.0.7:8091',
      dataPlaneAddress: 'http://10.0.0.7:8091',
      metricsPort: 9464,
      metricsHost: '0.0.0.0',
      metricsPerVm: true,
      logLevel: 'debug',
      logProvider: 'loki',
      lokiUrl: 'http://loki:3100',
      lokiTenant: 'team-a',
      lokiBasicAuth: 'user:secret',
      logBatchSize: 50,
      logBatchIntervalMs: 1000,
      logBufferLines: 500,
      logStoreMaxRows: 1000,
      logStoreOutputMaxRows: 300,
      logStoreMaxAgeMs: 60_000,
      dashboardDir: '/srv/dashboard',
      sessionTtlSeconds: 3600,
    });
  });

  it('has a section for every option path', () => {
    expect(CONFIG_SECTIONS).toEqual([
      'server',
      'storage',
      'queue',
      'event_bus',
      'vmm',
      'process',
      'docker',
      'qemu',
      'network',
      'firecracker',
      'worker',
      'cluster',
      'metrics',
      'logging',
      'auth',
      'integrations',
      'github',
      'slack',
      'webhooks',
    ]);
    for (const option of Object.values(CONFIG_OPTIONS)) expect(option.file).toMatch(/^[a-z_]+\.[a-z_]+$/);
  });

  it('substitutes the environment in parsed strings only, so values cannot add YAML structure', () => {
    const env = { PGHOST: 'db', EVIL: 'x\nserver:\n  port: 1', PORT: '9100' };
    const file = parseConfigFile(
      'storage:\n  database_url: postgres://${PGHOST}/app\nserver:\n  host: "${EVIL}"\n  port: ${PORT}\n',
      FILE,
      env,
    );
    expect(file.values).toEqual({ databaseUrl: 'postgres://db/app', host: env.EVIL, port: '9100' });
    expect(loadConfig({}, {}, '/', file)).toMatchObject({ host: env.EVIL, port: 9100 });
  });

  it('treats an empty file, empty sections and empty values as unset', () => {
    expect(parseConfigFile('', FILE, {}).values).toEqual({});
    expect(parseConfigFile('# nothing\n', FILE, {}).values).toEqual({});
    const file = parseConfigFile('server:\nstorage:\n  database_url: ${NOPE:-}\n  data_dir:\n', FILE, {});
    const config = loadConfig({ DATABASE_URL: 'postgres://env/x' }, {}, '/srv', file);
    expect(config.databaseUrl).toBe('postgres://env/x');
    expect(config.dataDir).toBe('/srv/.aether');
  });

  it('follows aliases', () => {
    const file = parseConfigFile('vmm: { create_timeout_ms: &t 5000, delete_timeout_ms: *t }\n', FILE, {});
    expect(file.values).toEqual({ createTimeoutMs: 5000, deleteTimeoutMs: 5000 });
  });

  it('rejects unknown sections and keys, naming the file, the line and the likely key', () => {
    expect(errorOf(() => parseConfigFile('sever:\n  port: 1\n', FILE, {})).message).toBe(
      'config file aether.yaml:1: unknown section sever (did you mean server?); sections are server, storage, queue, event_bus, vmm, process, docker, qemu, network, firecracker, worker, cluster, metrics, logging, auth, integrations, github, slack, webhooks',
    );
    expect(errorOf(() => parseConfigFile('server:\n  port: 1\n  hots: x\n', FILE, {})).message).toBe(
      'config file aether.yaml:3: unknown key server.hots (did you mean server.host?)',
    );
    expect(errorOf(() => parseConfigFile('worker:\n  lock_ms: 1\n', FILE, {})).message).toMatch(
      /aether\.yaml:2: unknown key worker\.lock_ms \(did you mean queue\.lock_ms\?\)/,
    );
    expect(errorOf(() => parseConfigFile('server:\n  bodyLimitBytes: 1\n', FILE, {})).message).toMatch(
      /did you mean server\.body_limit_bytes\?/,
    );
    expect(errorOf(() => parseConfigFile('logging:\n  colour: red\n', FILE, {})).message).toMatch(
      /unknown key logging\.colour \(logging takes level, format, provider, /,
    );
  });

  it('reports YAML syntax errors with the file, line and column', () => {
    expect(errorOf(() => parseConfigFile('server:\n  port: 1\n  host: "x\n', FILE, {})).message).toMatch(
      /^config file aether\.yaml:\d+:\d+: Missing closing "quote$/,
    );
    expect(errorOf(() => parseConfigFile('server:\n  port: 1\n  port: 2\n', FILE, {})).message).toMatch(
      /^config file aether\.yaml:3:\d+: Map keys must be unique/,
    );
    expect(errorOf(() => parseConfigFile('server:\n  port: !foo 1\n', FILE, {})).message).toMatch(
      /aether\.yaml:2:\d+: Unresolved tag: !foo/,
    );
  });

  it('rejects a document or a section that is not a map', () => {
    expect(errorOf(() => parseConfigFile('- a\n- b\n', FILE, {})).message).toMatch(
      /aether\.yaml:1: expected sections \(server, storage/,
    );
    expect(errorOf(() => parseConfigFile('server: 8080\n', FILE, {})).message).toMatch(
      /aether\.yaml:1: server must be a map/,
    );
  });

  it('names an unset variable, the key and the file', () => {
    expect(errorOf(() => parseConfigFile('storage:\n  database_url: ${DB_URL}\n', FILE, {})).message).toBe(
      'config file aether.yaml:2 (storage.database_url): environment variable DB_URL is not set; set it, or write ${DB_URL:-default}',
    );
  });
});

describe('values from the file', () => {
  const load = (text: string, env: Record<string, string> = {}, flags = {}) =>
    loadConfig(env, flags, '/work', parseConfigFile(text, FILE, env));

  it('sit between flags and the environment: flags > file > env > defaults', () => {
    const text = 'server: { port: 9000 }\n';
    expect(load(text).port).toBe(9000);
    expect(load(text, { AETHER_PORT: '9100' }).port).toBe(9000);
    expect(load(text, { AETHER_PORT: '9100' }, { port: '9200' }).port).toBe(9200);
    expect(load('server: { host: h }\n', { AETHER_PORT: '9100' }).port).toBe(9100);
    expect(load('server: { host: h }\n').port).toBe(8080);
  });

  it('resolve a relative data dir against the file, not the working directory', () => {
    const file = parseConfigFile('storage: { data_dir: ./state }\n', 'conf/aether.yaml', {});
    expect(loadConfig({}, {}, '/work', file).dataDir).toBe('/work/conf/state');
    expect(loadConfig({ AETHER_DATA_DIR: './env' }, {}, '/work').dataDir).toBe('/work/env');
  });

  it('are checked like env values, naming file:section.key', () => {
    expect(errorOf(() => load('server: { port: eighty }\n')).message).toBe(
      'invalid configuration: port (aether.yaml:server.port="eighty"): Invalid input: expected number, received NaN',
    );
    expect(errorOf(() => load('server: { port: true }\n')).message).toBe(
      'invalid configuration: port (aether.yaml:server.port=true): expected a number',
    );
    expect(errorOf(() => load('server: { host: [a, b] }\n')).message).toBe(
      'invalid configuration: host (aether.yaml:server.host=["a","b"]): expected a string',
    );
    expect(errorOf(() => load('vmm: { driver: vmware }\n')).message).toMatch(
      /driver \(aether\.yaml:vmm\.driver="vmware"\)/,
    );
    expect(errorOf(() => load('storage: { database_url: "mysql://u:secret@h/db" }\n')).message).toBe(
      'invalid configuration: databaseUrl (aether.yaml:storage.database_url="mysql://u:***@h/db"): must be a postgres:// URL',
    );
  });

  it('take numbers for string options', () => {
    expect(load('worker: { id: 42 }\n').workerId).toBe('42');
  });
});

describe('closest', () => {
  it('suggests near misses only', () => {
    expect(closest('sever', CONFIG_SECTIONS)).toBe('server');
    expect(closest('eventbus', CONFIG_SECTIONS)).toBe('event_bus');
    expect(closest('database', CONFIG_SECTIONS)).toBeUndefined();
  });
});

describe('aether.example.yaml and the configuration page', () => {
  const root = new URL('../../', import.meta.url);
  const example = readFileSync(new URL('aether.example.yaml', root), 'utf8');

  it('the example parses as it is, and shows every option with its default and env var', () => {
    expect(parseConfigFile(example, 'aether.example.yaml', {}).values).toEqual({});
    let section = '';
    const shown = new Map<string, string>();
    for (const line of example.split('\n')) {
      const header = /^([a-z_]+):\s*$/.exec(line);
      if (header) section = header[1]!;
      const key = /^ {2}# ([a-z_]+): (.*)$/.exec(line);
      if (key) shown.set(`${section}.${key[1]}`, key[2]!); // the last example of a key shows its default
    }
    for (const [name, option] of Object.entries(CONFIG_OPTIONS)) {
      expect(shown.has(option.file), `${option.file} in the example`).toBe(true);
      expect(example, `${option.env} in the example`).toContain(`(${option.env})`);
      if (name === 'workerId') continue;
      const [sectionName, keyName] = option.file.split('.');
      const file = parseConfigFile(
        `${sectionName}:\n  ${keyName}: ${shown.get(option.file)}\n`,
        'x.yaml',
        {},
      );
      const value = file.values[name as keyof typeof CONFIG_OPTIONS];
      expect(value === undefined || value === '' ? option.default : value, option.file).toBe(option.default);
    }
  });

  it('the configuration page lists every env var', () => {
    const page = readFileSync(new URL('docs/configuration.md', root), 'utf8');
    for (const option of Object.values(CONFIG_OPTIONS)) expect(page).toContain(`\`${option.env}\``);
  });
});
