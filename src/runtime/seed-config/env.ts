/**
 * The environment variables the Go version's gateway and worker read (and its deployment docs
 * set), turned into ours before options are read from the environment: POSTGRES_HOST and its
 * siblings become DATABASE_URL, REDIS_ADDR becomes REDIS_URL, LOKI_URL turns Loki on, and so
 * on. Our own variable wins where both are set. Each one used leaves a notice.
 */
import { AetherError } from '../../core/errors.js';
import { type ConfigNotice, variableIgnored, variableReplaced } from './notice.js';
import { goDurationMs, maskUrl, postgresUrl, redisUrl, toolList } from './values.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Variables the Go version read that have no counterpart here, and why. */
const IGNORED_VARIABLES: Readonly<Record<string, string>> = {
  CONSUL_ADDR: 'workers register in the database; there is no Consul',
  CONSUL_DATACENTER: 'there is no Consul',
  CONSUL_SCHEME: 'there is no Consul',
  CONSUL_SERVICE_NAME: 'there is no Consul',
  CONSUL_TOKEN: 'there is no Consul',
  WORKER_ADDRESS: 'a worker with a cluster secret advertises AETHER_DATA_PLANE_ADDRESS',
  WORKER_ZONE: 'placement goes by load, not zones',
  WORKER_LABELS: 'placement goes by load, not labels',
  WORKER_CAPABILITY: 'a worker runs the drivers AETHER_DRIVERS names',
  WORKER_CPU_CORES: "a worker's capacity is read from its host",
  WORKER_MEMORY_MB: "a worker's capacity is read from its host",
  WORKER_DISK_GB: "a worker's capacity is read from its host",
  WORKER_MAX_VMS:
    'a worker runs AETHER_WORKER_CONCURRENCY tasks at once; VMs per project are capped by AETHER_QUOTA_VMS',
  ROOTFS_TEMPLATE: 'firecracker VMs boot a guest image built with `aether image build --vm`',
  SOCKET_DIR: "each VM's sockets are kept in its directory under the data dir",
  DEFAULT_VCPU: 'a VM created without a size gets 1 vCPU; ask for vcpus when creating it',
  DEFAULT_MEMORY_MB: 'a VM created without a size gets 256 MiB; ask for memory_mib when creating it',
  WORKSPACE_ENCRYPTION_KEY: 'there are no workspaces with stored secrets',
};

/** Variables renamed as they are, or with their value converted (null = not valid, with why). */
const RENAMED_VARIABLES: Readonly<Record<string, [string, (value: string) => string | null, string?]>> = {
  PORT: ['AETHER_PORT', (v) => v],
  WORKER_ID: ['AETHER_WORKER_ID', (v) => v],
  KERNEL_PATH: ['AETHER_KERNEL', (v) => v],
  HEARTBEAT_INTERVAL_SECONDS: ['AETHER_HEARTBEAT_INTERVAL_MS', secondsToMs, 'whole seconds'],
  IDLE_CHECK_INTERVAL_SECONDS: ['AETHER_LIFETIME_CHECK_INTERVAL_MS', secondsToMs, 'whole seconds'],
  AETHERIUM_DEFAULT_TOOLS: ['AETHER_DEFAULT_TOOLS', (v) => toolList(v.split(',')).names],
  AETHERIUM_TOOL_TIMEOUT: ['AETHER_TOOL_INSTALL_TIMEOUT_MS', durationText, 'a duration such as 20m'],
};

function secondsToMs(value: string): string | null {
  return /^\d+$/.test(value.trim()) ? String(Number(value) * 1000) : null;
}

function durationText(value: string): string | null {
  const ms = goDurationMs(value);
  return ms === null ? null : String(ms);
}

export interface LegacyEnv {
  /** The environment, with our variables added where only the Go version's were set. */
  env: Env;
  notices: ConfigNotice[];
  /** Our variable → the Go version's variables its value came from. */
  origins: Record<string, string[]>;
}

/** Reads the Go version's variables of `env` into ours. Throws ERR_CONFIG on a value it cannot read. */
export function translateLegacyEnv(env: Env): LegacyEnv {
  const isSet = (name: string) => env[name] !== undefined && env[name] !== '';
  const out: Record<string, string | undefined> = { ...env };
  const notices: ConfigNotice[] = [];
  const origins: Record<string, string[]> = {};
  const problems: string[] = [];
  const give = (ours: string, value: string, from: readonly string[], shown = value) => {
    if (isSet(ours)) {
      for (const name of from) notices.push(variableIgnored(name, `${ours} is set and wins`));
      return false;
    }
    out[ours] = value;
    origins[ours] = [...from];
    for (const name of from) notices.push(variableReplaced(name, `${ours}=${shown}`));
    return true;
  };

  // Without POSTGRES_HOST the others are what the PostgreSQL image itself reads: not ours.
  if (isSet('POSTGRES_HOST')) {
    const port = env.POSTGRES_PORT || '5432';
    if (!/^\d{1,5}$/.test(port))
      problems.push(`POSTGRES_PORT=${JSON.stringify(port)}: must be a port number`);
    else {
      // The Go version's defaults for the ones left out, and the sslmode it always used.
      const url = postgresUrl({
        host: env.POSTGRES_HOST!,
        port,
        user: env.POSTGRES_USER || 'aetherium',
        password: env.POSTGRES_PASSWORD || 'aetherium',
        database: env.POSTGRES_DB || 'aetherium',
        sslmode: 'disable',
      });
      const from = [
        'POSTGRES_HOST',
        'POSTGRES_PORT',
        'POSTGRES_USER',
        'POSTGRES_PASSWORD',
        'POSTGRES_DB',
      ].filter(isSet);
      give('DATABASE_URL', url, from, maskUrl(url));
    }
  }
  if (isSet('REDIS_ADDR')) {
    const url = redisUrl({ addr: env.REDIS_ADDR!, password: env.REDIS_PASSWORD ?? '', db: '' });
    if (url === null) problems.push(`REDIS_ADDR=${JSON.stringify(env.REDIS_ADDR)}: must be host:port`);
    else
      give(
        'REDIS_URL',
        url,
        ['REDIS_ADDR', ...(isSet('REDIS_PASSWORD') ? ['REDIS_PASSWORD'] : [])],
        maskUrl(url),
      );
  }
  if (isSet('LOKI_URL')) {
    // The Go version shipped logs to Loki whenever LOKI_URL was set.
    if (give('AETHER_LOKI_URL', env.LOKI_URL!, ['LOKI_URL']) && !isSet('AETHER_LOG_PROVIDER')) {
      out.AETHER_LOG_PROVIDER = 'loki';
      origins.AETHER_LOG_PROVIDER = ['LOKI_URL'];
      notices[notices.length - 1] = variableReplaced(
        'LOKI_URL',
        `AETHER_LOG_PROVIDER=loki and AETHER_LOKI_URL=${env.LOKI_URL}`,
      );
    }
  }
  for (const [name, [ours, convert, expected]] of Object.entries(RENAMED_VARIABLES)) {
    if (!isSet(name)) continue;
    const value = convert(env[name]!);
    if (value === null) problems.push(`${name}=${JSON.stringify(env[name])}: must be ${expected}`);
    else give(ours, value, [name]);
  }
  for (const [name, why] of Object.entries(IGNORED_VARIABLES)) {
    if (isSet(name)) notices.push(variableIgnored(name, why));
  }
  if (problems.length > 0) {
    throw new AetherError(
      'ERR_CONFIG',
      `invalid environment (the Go version's variables): ${problems.join('; ')}`,
    );
  }
  return { env: out, notices, origins };
}
