/**
 * The Go version's config keys and what each becomes here: one of our options (with its value
 * converted where the forms differ), or nothing, with the reason said at start. Keys read as a
 * group (providers, addresses in parts) are in backends.ts. See
 * docs/compatibility.md for the table in prose.
 */
import { INTEGRATION_MODULES } from '../../integrations/modules.js';
import { type ConfigKey, DRIVER_NAMES } from '../config.js';
import { BACKEND_PATHS, readEvents, readLogProvider, readQueue, readStorage } from './backends.js';
import type { ConfigNotice } from './notice.js';
import { canonicalPath, LegacyReader, type LegacyReaderContext } from './reader.js';
import { goDurationMs, toolList } from './values.js';
import type { LegacyEntry } from './yaml.js';

type Convert = (r: LegacyReader, entry: LegacyEntry) => { value: string | number; note?: string } | null;

const text: Convert = (r, entry) => {
  const value = r.text(entry);
  return value === null ? null : { value };
};

const list: Convert = (r, entry) => {
  const values = r.list(entry);
  return values === null ? null : { value: values.join(',') };
};

const durationMs: Convert = (r, entry) => {
  const value = r.text(entry);
  if (value === null) return null;
  const ms = goDurationMs(value);
  if (ms === null) r.problem(entry, `must be a duration such as 5s or 20m, not ${JSON.stringify(value)}`);
  return ms === null ? null : { value: ms };
};

/** A socket path, or a URL as DOCKER_HOST takes it. */
const dockerHost: Convert = (r, entry) => {
  const value = r.text(entry);
  if (value === null) return null;
  return { value: value.startsWith('/') ? `unix://${value}` : value };
};

const logFormat: Convert = (r, entry) => {
  const value = r.text(entry);
  return value === null ? null : { value: value === 'text' ? 'pretty' : value };
};

const tools: Convert = (r, entry) => {
  const values = r.list(entry);
  if (values === null) return null;
  const { names, droppedVersions } = toolList(values);
  const note =
    droppedVersions.length > 0 ? ` (versions are chosen per VM: ${droppedVersions.join(', ')} not kept)` : '';
  return { value: names, note };
};

/** Keys that set one of our options, by canonical path. */
const OPTION_KEYS: Readonly<Record<string, [ConfigKey, Convert]>> = {
  'server.graceful_shutdown': ['drainTimeoutMs', durationMs],
  'api.host': ['host', text],
  'api.port': ['port', text],
  'api.auth.jwt_secret': ['jwtSecret', text],
  'api.cors.allowed_origins': ['corsOrigins', list],
  'queue.concurrency': ['workerConcurrency', text],
  'vmm.firecracker.kernel_path': ['firecrackerKernel', text],
  'vmm.firecracker.jailer_path': ['firecrackerJailerBinary', text],
  'vmm.docker.network': ['dockerNetwork', text],
  'vmm.docker.socket': ['dockerHost', dockerHost],
  'vmm.docker.default_image': ['dockerImage', text],
  'network.bridge_name': ['networkBridge', text],
  'network.bridge_ip': ['networkCidr', text],
  'logging.loki.url': ['lokiUrl', text],
  'logging.loki.batch_size': ['logBatchSize', text],
  'logging.loki.batch_interval': ['logBatchIntervalMs', durationMs],
  'logging.stdout.format': ['logFormat', logFormat],
  'tools.default': ['defaultTools', tools],
  'tools.timeout': ['toolInstallTimeoutMs', durationMs],
  'integrations.github.token': ['githubToken', text],
  'integrations.github.webhook_secret': ['githubWebhookSecret', text],
  'integrations.github.app_id': ['githubAppId', text],
  'integrations.github.installation_id': ['githubAppInstallationId', text],
  'integrations.github.base_url': ['githubApiUrl', text],
  'integrations.slack.bot_token': ['slackBotToken', text],
  'integrations.slack.signing_secret': ['slackSigningSecret', text],
  'integrations.slack.default_channel': ['slackChannel', text],
  'integrations.slack.base_url': ['slackApiUrl', text],
};

const POOL_SIZE =
  'a VM created without a size gets 1 vCPU and 256 MiB; ask for vcpus and memory_mib when creating it';

/** Keys read and ignored, by canonical path (a block with everything under it), and why. */
const IGNORED_KEYS: Readonly<Record<string, string>> = {
  'server.mode': 'there are no run modes; each behaviour has its own option (auth.mode, logging.format, ...)',
  'queue.queues': 'tasks are not weighted by priority queues: the queue is BullMQ, one queue per task type',
  'vmm.firecracker.rootfs_template':
    'firecracker VMs boot a guest image built with `aether image build --vm` (firecracker.image picks one)',
  'vmm.firecracker.socket_dir': "each VM's sockets are kept in its directory under storage.data_dir",
  'vmm.firecracker.default_vcpu': POOL_SIZE,
  'vmm.firecracker.default_memory_mb': POOL_SIZE,
  'vmm.qemu.default_vcpu': POOL_SIZE,
  'vmm.qemu.default_memory_mb': POOL_SIZE,
  'vmm.qemu.binary_path': 'qemu-system-x86_64 is found on the PATH',
  'vmm.kata': `there is no kata driver (drivers: ${DRIVER_NAMES.join(', ')})`,
  'network.subnet_cidr': "the guests' subnet is the one network.cidr gives",
  'network.tap_prefix': 'TAP device names are chosen by Aetherium',
  'network.enable_nat':
    "guests' outbound traffic is governed by network.egress_block_private and network.egress_allow",
  'logging.loki.labels': 'shipped lines carry labels chosen by Aetherium (service, node, ...)',
  'tools.available': 'a VM may ask for any tool Aetherium knows (`aether tools`)',
  'api.auth.api_keys':
    'API keys are made with `aether key create` and stored hashed; keys listed here are not accepted',
  'api.cors.allowed_methods': "the API's methods are fixed",
  'api.rate_limit.burst': 'the rate limit has no burst allowance',
  'observability.tracing': 'there is no tracing',
  'observability.profiling': 'there is no profiling endpoint',
};

/** Integrations and the keys of theirs the Go version's files give. */
const INTEGRATION_NAMES = INTEGRATION_MODULES.map((module) => module.name as string);

/** Keys read by the rules in this file, for naming what a block takes. */
const OTHER_PATHS = [
  'vmm.provider',
  'network.proxy',
  'logging.output',
  'logging.format',
  'integrations.enabled',
  'integrations.github.enabled',
  'integrations.slack.enabled',
  'api.rate_limit.enabled',
  'api.rate_limit.requests_per_minute',
  'observability.metrics.enabled',
  'observability.metrics.port',
  'observability.metrics.path',
  'queue.asynq',
];

const KNOWN_PATHS = [
  ...Object.keys(OPTION_KEYS),
  ...Object.keys(IGNORED_KEYS),
  ...BACKEND_PATHS,
  ...OTHER_PATHS,
];

/** An `enabled` switch: true, false, or null when absent, empty or not a boolean (a problem). */
function isOn(r: LegacyReader, entry: LegacyEntry | undefined): boolean | null {
  if (!entry) return null;
  const value = r.text(entry);
  if (value === 'true' || value === 'false') return value === 'true';
  if (value !== null && value !== '') r.problem(entry, `must be true or false, not ${JSON.stringify(value)}`);
  return null;
}

function readVmm(r: LegacyReader): void {
  for (const entry of r.at('vmm.provider')) {
    const name = r.text(entry);
    if (name === 'kata')
      r.problem(entry, `is kata: there is no kata driver; use one of ${DRIVER_NAMES.join(', ')}`);
    else if (name !== null) r.set('driver', name, [entry]);
  }
}

function readNetworkProxy(r: LegacyReader): void {
  for (const block of r.at('network.proxy')) {
    const enabled = (block.value as { enabled?: unknown } | null)?.enabled;
    if (enabled === true || enabled === 'true') {
      r.problem(
        block,
        "is enabled, but there is no egress proxy with a domain allowlist: guests' outbound traffic is limited by network.egress_block_private and network.egress_allow; remove network.proxy or set enabled: false",
      );
    } else r.ignore(block, 'there is no egress proxy');
  }
}

function readLoggingForms(r: LegacyReader): void {
  for (const entry of r.at('logging.format')) r.replaceValue('logFormat', 'pretty', entry, 'text');
  for (const entry of r.at('logging.output')) {
    const output = r.text(entry);
    r.ignore(
      entry,
      output === 'stdout' || output === 'stderr' || output === null
        ? 'logs are written on stderr'
        : `logs are written on stderr; redirect it to ${output} to keep them there`,
    );
  }
}

/** `integrations.enabled` as a list, and each integration's block with its `enabled`. */
function readIntegrations(r: LegacyReader): void {
  const enabled = new Set<string>();
  const from: LegacyEntry[] = [];
  for (const entry of r.at('integrations.enabled')) {
    for (const name of r.list(entry) ?? []) enabled.add(name);
    from.push(entry);
  }
  const names = r
    .leavesUnder('integrations')
    .map((entry) => canonicalPath(entry.path).split('.'))
    .filter((segments) => segments.length > 2)
    .map((segments) => segments[1]!);
  for (const name of new Set(names)) {
    const switchEntries = r.at(`integrations.${name}.enabled`);
    const on = isOn(r, switchEntries[0]);
    if (!INTEGRATION_NAMES.includes(name)) {
      for (const block of r.at(`integrations.${name}`)) {
        if (on)
          r.problem(
            block,
            `is enabled, but there is no ${name} integration (there are ${INTEGRATION_NAMES.join(', ')})`,
          );
        else r.ignore(block, `there is no ${name} integration (there are ${INTEGRATION_NAMES.join(', ')})`);
      }
    } else if (on === false) {
      for (const block of r.at(`integrations.${name}`))
        r.ignore(block, `integration ${name} is off (enabled: false)`);
    } else if (on) {
      enabled.add(name);
      from.push(...switchEntries);
    }
  }
  if (from.length === 0) return;
  const joined = [...enabled].join(',');
  const [first, ...rest] = from;
  if (first!.path === 'integrations.enabled' && Array.isArray(first!.value)) {
    r.replaceValue('integrationsEnabled', joined, first!, `[${(first!.value as unknown[]).join(', ')}]`);
    if (rest.length > 0) r.set('integrationsEnabled', joined, rest);
  } else r.set('integrationsEnabled', joined, from);
}

function readApiLimits(r: LegacyReader): void {
  for (const entry of r.at('api.rate_limit.requests_per_minute')) {
    const max = r.text(entry);
    if (max === null) continue;
    r.set('rateLimitMax', max, [entry], ' (per server.rate_limit_window_ms: 60000)');
    if (!r.oursSet('rateLimitWindowMs')) r.values.rateLimitWindowMs = 60_000;
  }
  for (const entry of r.at('api.rate_limit.enabled')) {
    r.ignore(
      entry,
      isOn(r, entry) === false
        ? 'the rate limit cannot be turned off; raise server.rate_limit_max instead'
        : 'the rate limit is always on',
    );
  }
}

function readMetrics(r: LegacyReader): void {
  const switchEntry = r.first('observability.metrics.enabled');
  const on = isOn(r, switchEntry);
  for (const entry of r.at('observability.metrics.port')) {
    if (on === false) r.ignore(entry, 'observability.metrics.enabled is false');
    else {
      const port = r.text(entry);
      if (port !== null) r.set('metricsPort', port, [entry]);
    }
  }
  if (switchEntry) {
    r.ignore(
      switchEntry,
      on === false
        ? 'without metrics.port there is no metrics listener'
        : 'the metrics listener is on whenever metrics.port is set',
    );
  }
  for (const entry of r.at('observability.metrics.path')) {
    const path = r.text(entry);
    r.ignore(
      entry,
      path === '/metrics' ? 'metrics are served at /metrics' : `metrics are served at /metrics, not ${path}`,
    );
  }
}

export interface LegacyTranslation {
  /** What the Go version's keys set, by option, to add to the file's own values. */
  values: Partial<Record<ConfigKey, unknown>>;
  /** Our option → the keys of the Go version's its value came from. */
  origins: Partial<Record<ConfigKey, string[]>>;
  notices: ConfigNotice[];
  /** Errors naming file:line; any at all means the file is refused. */
  problems: string[];
}

/** Reads the Go version's keys of one config file (see yaml.ts) into our options. */
export function translateLegacyKeys(
  entries: readonly LegacyEntry[],
  context: LegacyReaderContext,
): LegacyTranslation {
  const r = new LegacyReader(entries, context);
  // Storage first: whether the store is PostgreSQL decides what an in-process queue means.
  readStorage(r);
  readQueue(r);
  readEvents(r);
  readLogProvider(r);
  readLoggingForms(r);
  readVmm(r);
  readNetworkProxy(r);
  readIntegrations(r);
  readApiLimits(r);
  readMetrics(r);
  for (const entry of r.leavesUnder('queue.asynq'))
    r.ignore(entry, 'asynq tuning does not apply: the queue is BullMQ');
  for (const [path, [option, convert]] of Object.entries(OPTION_KEYS)) {
    for (const entry of r.at(path)) {
      const converted = convert(r, entry);
      if (converted) r.set(option, converted.value, [entry], converted.note);
    }
  }
  for (const [path, why] of Object.entries(IGNORED_KEYS))
    for (const entry of r.at(path)) r.ignore(entry, why);
  r.reportUnknown(KNOWN_PATHS);
  return { values: r.values, origins: r.origins, notices: r.notices(), problems: r.problems };
}
