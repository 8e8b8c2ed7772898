import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { AetherError } from './errors.js';
import { parseIpv4Cidr } from './ipv4.js';
import { PROJECT_PATTERN } from './principal.js';
import { isToolName, parseDefaultTools, TOOL_NAMES } from './tool-catalog.js';
import { DRIVER_NAMES } from './vm.js';

const MiB = 1024 * 1024;

/**
 * Every option once: its env var, its key in the config file (`section.key`), its default and
 * its unit (in the name). The README's configuration table and `aether.example.yaml` are written
 * from this list.
 */
export const CONFIG_OPTIONS = {
  host: {
    env: 'AETHER_HOST',
    file: 'server.host',
    default: '127.0.0.1',
    doc: 'Address the gateway listens on',
  },
  port: { env: 'AETHER_PORT', file: 'server.port', default: 8080, doc: 'Gateway TCP port' },
  bodyLimitBytes: {
    env: 'AETHER_BODY_LIMIT_BYTES',
    file: 'server.body_limit_bytes',
    default: MiB,
    doc: 'Largest accepted request body',
  },
  waitTimeoutMs: {
    env: 'AETHER_WAIT_TIMEOUT_MS',
    file: 'server.wait_timeout_ms',
    default: 15 * 60_000,
    doc: 'Longest `?wait=true` may block',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    file: 'storage.database_url',
    default: '',
    doc: 'PostgreSQL URL; empty = embedded PGlite in the data dir',
  },
  dataDir: {
    env: 'AETHER_DATA_DIR',
    file: 'storage.data_dir',
    default: './.aether',
    doc: 'Embedded store, queue and VM files',
  },
  redisUrl: {
    env: 'REDIS_URL',
    file: 'queue.redis_url',
    default: '',
    doc: 'Redis URL for queue and events; empty = embedded',
  },
  embeddedQueue: {
    env: 'AETHER_EMBEDDED_QUEUE',
    file: 'queue.embedded',
    default: 'local',
    doc: 'Queue without Redis: `local` (in-process) or `bullmq` (BullMQ on the embedded database)',
  },
  queueLockMs: {
    env: 'AETHER_QUEUE_LOCK_MS',
    file: 'queue.lock_ms',
    default: 30_000,
    doc: "Queue lock on a running task; a silent worker's task is redelivered after it",
  },
  reconcileIntervalMs: {
    env: 'AETHER_RECONCILE_INTERVAL_MS',
    file: 'queue.reconcile_interval_ms',
    default: 30_000,
    doc: 'How often pending tasks the queue lost are enqueued again',
  },
  eventsRedisUrl: {
    env: 'AETHER_EVENTS_REDIS_URL',
    file: 'event_bus.redis_url',
    default: '',
    doc: 'Redis URL for the event bus; empty = REDIS_URL',
  },
  driver: { env: 'AETHER_DRIVER', file: 'vmm.driver', default: 'process', doc: 'Default VM driver' },
  warmPoolSize: {
    env: 'AETHER_WARM_POOL_SIZE',
    file: 'vmm.warm_pool_size',
    default: 2,
    doc: 'Sandboxes the process driver keeps booted, so a create takes milliseconds',
  },
  drivers: {
    env: 'AETHER_DRIVERS',
    file: 'vmm.drivers',
    default: '',
    doc: 'Drivers this node runs, comma-separated; empty = the default driver, plus `process`',
  },
  dockerHost: {
    env: 'DOCKER_HOST',
    file: 'docker.host',
    default: 'unix:///var/run/docker.sock',
    doc: 'Docker Engine the docker driver talks to (unix:// socket or tcp://host:port)',
  },
  dockerImage: {
    env: 'AETHER_DOCKER_IMAGE',
    file: 'docker.image',
    default: 'aetherium/guest:latest',
    doc: 'Image of docker VMs whose request names none (`aether image build --docker` makes it)',
  },
  dockerNetwork: {
    env: 'AETHER_DOCKER_NETWORK',
    file: 'docker.network',
    default: 'bridge',
    doc: 'Docker network of VMs created with `network: true` (others have none)',
  },
  imageDir: {
    env: 'AETHER_IMAGE_DIR',
    file: 'vmm.image_dir',
    default: '',
    doc: 'Data dir whose guest images VMs boot (`aether image build --data-dir`); empty = the data dir',
  },
  qemuAccel: {
    env: 'AETHER_QEMU_ACCEL',
    file: 'qemu.accel',
    default: 'auto',
    doc: 'Accelerator of qemu VMs: auto (KVM when it boots our guests, else TCG), kvm or tcg',
  },
  qemuImage: {
    env: 'AETHER_QEMU_IMAGE',
    file: 'qemu.image',
    default: '',
    doc: 'Short id of the guest image qemu VMs boot; empty = the newest one built with --vm',
  },
  qemuWarmPoolSize: {
    env: 'AETHER_QEMU_WARM_POOL_SIZE',
    file: 'qemu.warm_pool_size',
    default: 0,
    doc: 'qemu VMs kept restored from a template snapshot and running, so a create of 1 vCPU, 256 MiB, no network and the default image takes no boot (each holds its memory)',
  },
  qemuNetwork: {
    env: 'AETHER_QEMU_NETWORK',
    file: 'qemu.network',
    default: 'user',
    doc: 'Network of qemu VMs created with `network: true`: user (QEMU user-mode NAT, no root) or tap (the host bridge, with egress rules)',
  },
  networkBridge: {
    env: 'AETHER_NETWORK_BRIDGE',
    file: 'network.bridge',
    default: 'aetherium0',
    doc: 'Host bridge that microVMs on TAP devices join (`aether network setup` makes it)',
  },
  networkCidr: {
    env: 'AETHER_NETWORK_CIDR',
    file: 'network.cidr',
    default: '172.16.0.1/24',
    doc: "The bridge's address and prefix; guests are leased the subnet's other addresses",
  },
  networkEgressBlockPrivate: {
    env: 'AETHER_NETWORK_EGRESS_BLOCK_PRIVATE',
    file: 'network.egress_block_private',
    default: true,
    doc: 'Block guests from private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, 198.18/15); link-local, metadata and the host are blocked always',
  },
  networkEgressAllow: {
    env: 'AETHER_NETWORK_EGRESS_ALLOW',
    file: 'network.egress_allow',
    default: '',
    doc: 'IPv4 CIDRs guests may reach even where blocked, comma-separated',
  },
  networkDns: {
    env: 'AETHER_NETWORK_DNS',
    file: 'network.dns',
    default: '1.1.1.1,8.8.8.8',
    doc: 'DNS servers of guests on the bridge, IPv4, comma-separated, at most 2 (port 53 to them is let through the egress rules); empty = none',
  },
  networkTaps: {
    env: 'AETHER_NETWORK_TAPS',
    file: 'network.taps',
    default: 'auto',
    doc: 'Where a worker gets TAP devices: create (needs CAP_NET_ADMIN), pool (`aether network setup --tap-pool N`) or auto (create with CAP_NET_ADMIN, else pool)',
  },
  networkTapUser: {
    env: 'AETHER_NETWORK_TAP_USER',
    file: 'network.tap_user',
    default: '',
    doc: "Uid owning the TAPs a worker creates (the VMM runs as it); empty = the worker's own",
  },
  firecrackerBinary: {
    env: 'AETHER_FIRECRACKER_BIN',
    file: 'firecracker.binary',
    default: 'firecracker',
    doc: 'The firecracker binary: a path, or a name looked up on the PATH',
  },
  firecrackerKernel: {
    env: 'AETHER_KERNEL',
    file: 'firecracker.kernel',
    default: '',
    doc: 'Absolute path of the uncompressed guest kernel (vmlinux) firecracker VMs boot (`aether image kernel` builds it)',
  },
  firecrackerImage: {
    env: 'AETHER_FIRECRACKER_IMAGE',
    file: 'firecracker.image',
    default: '',
    doc: 'Short id of the guest image firecracker VMs boot; empty = the newest one built with --vm',
  },
  firecrackerJailer: {
    env: 'AETHER_FIRECRACKER_JAILER',
    file: 'firecracker.jailer',
    default: true,
    doc: 'Start each VMM through the jailer (chroot, own uid, cgroup v2; needs root): true for production, false to run VMMs unjailed as the worker user',
  },
  firecrackerJailerBinary: {
    env: 'AETHER_JAILER_BIN',
    file: 'firecracker.jailer_binary',
    default: 'jailer',
    doc: 'The jailer binary, from the same release as firecracker: a path, or a name looked up on the PATH',
  },
  firecrackerChrootBase: {
    env: 'AETHER_JAILER_CHROOT_BASE',
    file: 'firecracker.chroot_base',
    default: '/srv/jailer',
    doc: "Where the jailer makes each VM's chroot; root-owned, on the same file system as the data dir",
  },
  firecrackerJailerUidBase: {
    env: 'AETHER_JAILER_UID_BASE',
    file: 'firecracker.jailer_uid_base',
    default: 900_000,
    doc: 'Group id of jailed VMMs; each runs as its own uid just above it (65535 of them); workers sharing a host need ranges apart',
  },
  defaultTools: {
    env: 'AETHER_DEFAULT_TOOLS',
    file: 'vmm.default_tools',
    default: 'git,node,bun,claude',
    doc: 'Tools every VM gets where it can, comma-separated (node is Node.js 20); `none` for none. A VM without network that lacks one is created anyway and lists it as missing',
  },
  toolInstallTimeoutMs: {
    env: 'AETHER_TOOL_INSTALL_TIMEOUT_MS',
    file: 'vmm.tool_install_timeout_ms',
    default: 20 * 60_000,
    doc: "Deadline for installing a VM's tools when it is created, the whole set together; added to the vm:create limit",
  },
  toolCaFile: {
    env: 'AETHER_TOOL_CA_FILE',
    file: 'vmm.tool_ca_file',
    default: '',
    doc: 'PEM file of CA certificates that installers in VMs (npm) trust besides their own, for a network that intercepts TLS; empty = none',
  },
  createTimeoutMs: {
    env: 'AETHER_CREATE_TIMEOUT_MS',
    file: 'vmm.create_timeout_ms',
    default: 5 * 60_000,
    doc: 'Default vm:create limit',
  },
  executeTimeoutMs: {
    env: 'AETHER_EXECUTE_TIMEOUT_MS',
    file: 'vmm.execute_timeout_ms',
    default: 10 * 60_000,
    doc: 'Default vm:execute limit',
  },
  deleteTimeoutMs: {
    env: 'AETHER_DELETE_TIMEOUT_MS',
    file: 'vmm.delete_timeout_ms',
    default: 2 * 60_000,
    doc: 'Default vm:delete limit',
  },
  outputLimitBytes: {
    env: 'AETHER_OUTPUT_LIMIT_BYTES',
    file: 'vmm.output_limit_bytes',
    default: MiB,
    doc: 'Stored output per stream per execution',
  },
  workerId: {
    env: 'AETHER_WORKER_ID',
    file: 'worker.id',
    default: '<hostname>',
    doc: 'Identity of this worker',
  },
  workerConcurrency: {
    env: 'AETHER_WORKER_CONCURRENCY',
    file: 'worker.concurrency',
    default: 16,
    doc: 'Tasks one worker runs at once',
  },
  heartbeatIntervalMs: {
    env: 'AETHER_HEARTBEAT_INTERVAL_MS',
    file: 'worker.heartbeat_interval_ms',
    default: 5_000,
    doc: 'How often a worker renews its registration',
  },
  workerLeaseMs: {
    env: 'AETHER_WORKER_LEASE_MS',
    file: 'worker.lease_ms',
    default: 15_000,
    doc: 'A worker that cannot renew for this long stops taking work and kills its VMs',
  },
  workerGraceMs: {
    env: 'AETHER_WORKER_GRACE_MS',
    file: 'worker.grace_ms',
    default: 30_000,
    doc: 'Silence after which other nodes declare a worker dead and its VMs lost',
  },
  drainTimeoutMs: {
    env: 'AETHER_DRAIN_TIMEOUT_MS',
    file: 'worker.drain_timeout_ms',
    default: 30_000,
    doc: 'On SIGTERM, how long a worker waits for running tasks before handing them back',
  },
  metricsPort: {
    env: 'AETHER_METRICS_PORT',
    file: 'metrics.port',
    default: '',
    doc: 'TCP port of a separate, unauthenticated listener serving only GET /metrics (for `aether worker`); empty = none (a gateway serves /metrics on its own port, to admins)',
  },
  metricsHost: {
    env: 'AETHER_METRICS_HOST',
    file: 'metrics.host',
    default: '127.0.0.1',
    doc: 'Address the metrics listener binds; keep it loopback or private (no authentication)',
  },
  logLevel: {
    env: 'AETHER_LOG_LEVEL',
    file: 'logging.level',
    default: 'info',
    doc: 'fatal, error, warn, info, debug, trace or silent',
  },
  logFormat: {
    env: 'AETHER_LOG_FORMAT',
    file: 'logging.format',
    default: 'auto',
    doc: 'How logs are written on stderr: `pretty` (one readable line each), `json` (one JSON object per line), or `auto`: pretty on a terminal, JSON otherwise',
  },
  logProvider: {
    env: 'AETHER_LOG_PROVIDER',
    file: 'logging.provider',
    default: 'local',
    doc: 'Where logs and command output are shipped and queried: `local` (the store, bounded) or `loki`',
  },
  lokiUrl: {
    env: 'AETHER_LOKI_URL',
    file: 'logging.loki_url',
    default: '',
    doc: 'Base URL of Loki (http://loki:3100) for `provider: loki`',
  },
  lokiTenant: {
    env: 'AETHER_LOKI_TENANT',
    file: 'logging.loki_tenant',
    default: '',
    doc: 'Loki tenant (X-Scope-OrgID header); empty = none',
  },
  lokiBasicAuth: {
    env: 'AETHER_LOKI_BASIC_AUTH',
    file: 'logging.loki_basic_auth',
    default: '',
    doc: 'Loki credentials as `user:password` (HTTP basic auth); empty = none',
  },
  logBatchSize: {
    env: 'AETHER_LOG_BATCH_SIZE',
    file: 'logging.batch_size',
    default: 100,
    doc: 'Lines per shipped batch; a batch also leaves when the interval passes',
  },
  logBatchIntervalMs: {
    env: 'AETHER_LOG_BATCH_INTERVAL_MS',
    file: 'logging.batch_interval_ms',
    default: 5000,
    doc: 'Longest a line waits before its batch is shipped',
  },
  logBufferLines: {
    env: 'AETHER_LOG_BUFFER_LINES',
    file: 'logging.buffer_lines',
    default: 10_000,
    doc: 'Lines kept while the backend is down or behind; past it the oldest command output is dropped first, then the oldest platform lines (aether_log_lines_dropped_total)',
  },
  logStoreMaxRows: {
    env: 'AETHER_LOG_STORE_MAX_ROWS',
    file: 'logging.store_max_rows',
    default: 100_000,
    doc: "With `provider: local`, the platform's own lines the store keeps (command output has its own cap); the oldest past it are pruned",
  },
  logStoreOutputMaxRows: {
    env: 'AETHER_LOG_STORE_OUTPUT_MAX_ROWS',
    file: 'logging.store_output_max_rows',
    default: 100_000,
    doc: 'With `provider: local`, lines of command output the store keeps; the oldest past it are pruned, never the platform lines',
  },
  logStoreMaxAgeMs: {
    env: 'AETHER_LOG_STORE_MAX_AGE_MS',
    file: 'logging.store_max_age_ms',
    default: 7 * 24 * 3_600_000,
    doc: 'With `provider: local`, how long the store keeps a line',
  },
  auth: {
    env: 'AETHER_AUTH',
    file: 'auth.mode',
    default: 'on',
    doc: '`on`: every route but health, docs and the spec needs an API key or JWT; `off` only on a loopback address',
  },
  credentialsFile: {
    env: 'AETHER_CREDENTIALS_FILE',
    file: 'auth.credentials_file',
    default: '',
    doc: 'Where `aether up` saves the local admin key for the CLI; empty = ~/.config/aetherium/credentials.json',
  },
  jwtSecret: {
    env: 'AETHER_JWT_SECRET',
    file: 'auth.jwt_secret',
    default: '',
    doc: 'HS256 secret (at least 32 bytes) that signs accepted JWTs',
  },
  jwtPublicKey: {
    env: 'AETHER_JWT_PUBLIC_KEY',
    file: 'auth.jwt_public_key',
    default: '',
    doc: 'PEM public key (RSA, EC or Ed25519) that signs accepted JWTs',
  },
  jwtJwksUrl: {
    env: 'AETHER_JWT_JWKS_URL',
    file: 'auth.jwt_jwks_url',
    default: '',
    doc: 'JWKS URL whose keys sign accepted JWTs',
  },
  jwtIssuer: {
    env: 'AETHER_JWT_ISSUER',
    file: 'auth.jwt_issuer',
    default: '',
    doc: 'Required `iss` of JWTs',
  },
  jwtAudience: {
    env: 'AETHER_JWT_AUDIENCE',
    file: 'auth.jwt_audience',
    default: 'aetherium',
    doc: 'Required `aud` of JWTs',
  },
  jwtAlgorithms: {
    env: 'AETHER_JWT_ALGORITHMS',
    file: 'auth.jwt_algorithms',
    default: '',
    doc: 'Accepted `alg`s, comma-separated; empty = HS256 with a secret, else RS256, ES256 and EdDSA',
  },
  jwtProjectClaim: {
    env: 'AETHER_JWT_PROJECT_CLAIM',
    file: 'auth.jwt_project_claim',
    default: 'project',
    doc: "JWT claim naming the caller's project",
  },
  jwtAdminScope: {
    env: 'AETHER_JWT_ADMIN_SCOPE',
    file: 'auth.jwt_admin_scope',
    default: 'aether:admin',
    doc: 'A JWT whose `scope` holds this is an admin',
  },
  quotaVms: { env: 'AETHER_QUOTA_VMS', file: 'auth.quota_vms', default: 100, doc: 'Live VMs per project' },
  quotaVcpus: { env: 'AETHER_QUOTA_VCPUS', file: 'auth.quota_vcpus', default: 256, doc: 'vCPUs per project' },
  quotaMemoryMiB: {
    env: 'AETHER_QUOTA_MEMORY_MIB',
    file: 'auth.quota_memory_mib',
    default: 262_144,
    doc: 'Memory of live VMs per project, MiB',
  },
  quotaProjects: {
    env: 'AETHER_QUOTA_PROJECTS',
    file: 'auth.quota_projects',
    default: '',
    doc: 'Per-project quotas, `project=vms/vcpus/memory_mib` comma-separated (e.g. `ci=20/40/40960`)',
  },
  rateLimitMax: {
    env: 'AETHER_RATE_LIMIT_MAX',
    file: 'server.rate_limit_max',
    default: 6000,
    doc: 'Requests per project (or per address before authentication) per window',
  },
  rateLimitWindowMs: {
    env: 'AETHER_RATE_LIMIT_WINDOW_MS',
    file: 'server.rate_limit_window_ms',
    default: 60_000,
    doc: 'Rate limit window',
  },
  corsOrigins: {
    env: 'AETHER_CORS_ORIGINS',
    file: 'server.cors_origins',
    default: '',
    doc: 'Browser origins allowed to call the API, comma-separated; empty = none',
  },
  requestTimeoutMs: {
    env: 'AETHER_REQUEST_TIMEOUT_MS',
    file: 'server.request_timeout_ms',
    default: 30_000,
    doc: 'Longest a client may take to send a request',
  },
  integrationsEnabled: {
    env: 'AETHER_INTEGRATIONS',
    file: 'integrations.enabled',
    default: '',
    doc: 'Integrations to load, comma-separated (github, slack); one whose secrets are set loads without it',
  },
  integrationsProject: {
    env: 'AETHER_INTEGRATIONS_PROJECT',
    file: 'integrations.project',
    default: 'integrations',
    doc: 'Project that VMs started by GitHub and Slack belong to',
  },
  integrationsSubscriptions: {
    env: 'AETHER_INTEGRATIONS_SUBSCRIPTIONS',
    file: 'integrations.subscriptions',
    default: 'task.failed=slack,vm.lost=slack',
    doc: 'Platform events sent as notifications, `event=integration` comma-separated (task.failed, task.completed, vm.lost, vm.failed, worker.left)',
  },
  githubToken: {
    env: 'GITHUB_TOKEN',
    file: 'github.token',
    default: '',
    doc: 'GitHub token (repo scope, or a fine-grained token with contents, pull requests, issues and statuses); never logged, never enters a VM',
  },
  githubWebhookSecret: {
    env: 'GITHUB_WEBHOOK_SECRET',
    file: 'github.webhook_secret',
    default: '',
    doc: 'Secret of the GitHub webhook (X-Hub-Signature-256); with a token or an App, enables GitHub',
  },
  githubAppId: {
    env: 'AETHER_GITHUB_APP_ID',
    file: 'github.app_id',
    default: '',
    doc: 'GitHub App id, to act as the App (installation tokens) instead of with GITHUB_TOKEN',
  },
  githubAppPrivateKey: {
    env: 'AETHER_GITHUB_APP_PRIVATE_KEY',
    file: 'github.app_private_key',
    default: '',
    doc: "The GitHub App's PEM private key",
  },
  githubAppInstallationId: {
    env: 'AETHER_GITHUB_APP_INSTALLATION_ID',
    file: 'github.app_installation_id',
    default: '',
    doc: "The App's installation id; empty = the one a webhook names",
  },
  githubApiUrl: {
    env: 'AETHER_GITHUB_API_URL',
    file: 'github.api_url',
    default: 'https://api.github.com',
    doc: 'GitHub REST API base URL (GitHub Enterprise: https://HOST/api/v3)',
  },
  githubCheckCommand: {
    env: 'AETHER_GITHUB_CHECK_COMMAND',
    file: 'github.check_command',
    default: '',
    doc: 'Command (run by sh in a fresh VM) for each opened or updated pull request, reported as a commit status; empty = none',
  },
  githubRepositories: {
    env: 'AETHER_GITHUB_REPOSITORIES',
    file: 'github.repositories',
    default: '',
    doc: 'Repositories whose webhooks may run work, owner/name comma-separated; empty = any that signs with the secret',
  },
  slackBotToken: {
    env: 'SLACK_BOT_TOKEN',
    file: 'slack.bot_token',
    default: '',
    doc: 'Slack bot token (xoxb-, scope chat:write); never logged',
  },
  slackSigningSecret: {
    env: 'SLACK_SIGNING_SECRET',
    file: 'slack.signing_secret',
    default: '',
    doc: "Slack app's signing secret; with the bot token, enables Slack",
  },
  slackApiUrl: {
    env: 'AETHER_SLACK_API_URL',
    file: 'slack.api_url',
    default: 'https://slack.com/api',
    doc: 'Slack Web API base URL',
  },
  slackChannel: {
    env: 'AETHER_SLACK_CHANNEL',
    file: 'slack.channel',
    default: '',
    doc: 'Channel id notifications are posted to; empty = no notifications',
  },
} as const;

export type ConfigKey = keyof typeof CONFIG_OPTIONS;

const positiveInt = z.coerce.number().int().positive();

/** JWT algorithms we accept at all; `none` and anything symmetric-but-unnamed are never among them. */
export const JWT_ALGORITHMS: readonly string[] = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'PS256',
  'ES256',
  'EdDSA',
];

/** One `event=integration` entry of `integrationsSubscriptions`. */
export const SUBSCRIPTION_ENTRY =
  /^(task\.failed|task\.completed|vm\.lost|vm\.failed|worker\.left)=(github|slack)$/;

/** Options that hold a secret: an error message never shows their value. */
const SECRET_OPTIONS: ReadonlySet<ConfigKey> = new Set([
  'lokiBasicAuth',
  'jwtSecret',
  'githubToken',
  'githubWebhookSecret',
  'githubAppPrivateKey',
  'slackBotToken',
  'slackSigningSecret',
]);

/** One `project=vms/vcpus/memory_mib` entry of `quotaProjects`. */
export const QUOTA_ENTRY = /^([a-z0-9][a-z0-9_-]{0,62})=(\d+)\/(\d+)\/(\d+)$/;

/** A URL with one of `schemes`, parseable as a whole (an empty string means "not set"). */
function urlOption(schemes: RegExp, what: string) {
  return z.string().refine((v) => v === '' || (schemes.test(v) && URL.canParse(v)), `must be a ${what} URL`);
}

/** A host address inside its subnet, with a prefix of 8 to 30: `172.16.0.1/24`. */
function isBridgeCidr(value: string): boolean {
  const cidr = parseIpv4Cidr(value);
  return (
    cidr !== null &&
    value.includes('/') &&
    cidr.prefixLength >= 8 &&
    cidr.prefixLength <= 30 &&
    cidr.address !== cidr.network &&
    cidr.address !== cidr.network + cidr.size - 1
  );
}

export const configSchema = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65_535),
  bodyLimitBytes: positiveInt,
  waitTimeoutMs: positiveInt,
  databaseUrl: urlOption(/^postgres(ql)?:\/\//, 'postgres://'),
  dataDir: z.string().min(1),
  redisUrl: urlOption(/^rediss?:\/\//, 'redis://'),
  embeddedQueue: z.enum(['local', 'bullmq']),
  queueLockMs: positiveInt,
  reconcileIntervalMs: positiveInt,
  eventsRedisUrl: urlOption(/^rediss?:\/\//, 'redis://'),
  driver: z.enum(DRIVER_NAMES),
  warmPoolSize: z.coerce.number().int().min(0).max(64),
  drivers: z
    .string()
    .refine(
      (v) =>
        v
          .split(',')
          .every((name) => name.trim() === '' || (DRIVER_NAMES as readonly string[]).includes(name.trim())),
      `must list drivers among ${DRIVER_NAMES.join(', ')}`,
    ),
  dockerHost: z
    .string()
    .regex(
      /^(unix:\/\/\/|\/|tcp:\/\/[^:/]+:\d{1,5}\/?$)/,
      'must be unix:///path/to/docker.sock or tcp://host:port',
    ),
  dockerImage: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9._/:@-]{0,254}$/,
      'must be a Docker image reference such as aetherium/guest:latest',
    ),
  imageDir: z.string(),
  qemuAccel: z.enum(['auto', 'kvm', 'tcg']),
  qemuImage: z
    .string()
    .regex(/^([0-9a-f]{12}|)$/, 'must be a 12-hex-digit image id (aether image ls) or empty'),
  dockerNetwork: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must name a Docker network'),
  qemuNetwork: z.enum(['user', 'tap']),
  qemuWarmPoolSize: z.coerce.number().int().min(0).max(64),
  networkBridge: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9_-]{0,14}$/,
      'must be an interface name: a letter, then letters, digits, _ or -; at most 15',
    ),
  networkCidr: z
    .string()
    .refine(isBridgeCidr, 'must be the bridge address with a prefix of 8 to 30, such as 172.16.0.1/24'),
  networkEgressBlockPrivate: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((v) => v === true || v === 'true'),
  networkEgressAllow: z
    .string()
    .refine(
      (v) => v.split(',').every((part) => part.trim() === '' || parseIpv4Cidr(part.trim()) !== null),
      'must list IPv4 CIDRs, comma-separated (10.1.0.0/16,192.0.2.7)',
    ),
  networkDns: z.string().refine((v) => {
    const parts = v
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    return parts.length <= 2 && parts.every((part) => !part.includes('/') && parseIpv4Cidr(part) !== null);
  }, 'must list at most 2 IPv4 addresses, comma-separated (1.1.1.1,8.8.8.8), or be empty'),
  networkTaps: z.enum(['auto', 'create', 'pool']),
  networkTapUser: z.string().regex(/^(\d{1,10}|)$/, 'must be a numeric uid or empty'),
  firecrackerBinary: z.string().regex(/^[^\0\s]{1,4096}$/, 'must be a path or a program name'),
  firecrackerKernel: z
    .string()
    .refine((v) => v === '' || path.isAbsolute(v), 'must be an absolute path (or empty)'),
  firecrackerImage: z
    .string()
    .regex(/^([0-9a-f]{12}|)$/, 'must be a 12-hex-digit image id (aether image ls) or empty'),
  firecrackerJailer: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((v) => v === true || v === 'true'),
  firecrackerJailerBinary: z.string().regex(/^[^\0\s]{1,4096}$/, 'must be a path or a program name'),
  firecrackerChrootBase: z.string().refine((v) => path.isAbsolute(v), 'must be an absolute path'),
  firecrackerJailerUidBase: z.coerce.number().int().min(1000).max(4_294_000_000),
  defaultTools: z.string().superRefine((v, ctx) => {
    const unknown = parseDefaultTools(v).filter((name) => !isToolName(name));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must list known tools, comma-separated; unknown: ${unknown.join(', ')} (known: ${TOOL_NAMES.join(', ')})`,
      });
    }
  }),
  toolInstallTimeoutMs: positiveInt,
  toolCaFile: z.string(),
  createTimeoutMs: positiveInt,
  executeTimeoutMs: positiveInt,
  deleteTimeoutMs: positiveInt,
  outputLimitBytes: positiveInt,
  workerId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore; at most 64'),
  workerConcurrency: positiveInt.max(1024),
  heartbeatIntervalMs: positiveInt,
  workerLeaseMs: positiveInt,
  workerGraceMs: positiveInt,
  drainTimeoutMs: positiveInt,
  metricsPort: z
    .string()
    .regex(/^(\d{1,5}|)$/, 'must be a TCP port, or empty for no metrics listener')
    .transform((v) => (v === '' ? null : Number(v)))
    .refine((v) => v === null || v <= 65_535, 'must be at most 65535'),
  metricsHost: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  logFormat: z.enum(['auto', 'pretty', 'json']),
  logProvider: z.enum(['local', 'loki']),
  lokiUrl: urlOption(/^https?:\/\//, 'http(s)://'),
  lokiTenant: z.string().regex(/^[A-Za-z0-9._|-]{0,150}$/, 'letters, digits, dot, dash, underscore, pipe'),
  lokiBasicAuth: z.string().refine((v) => v === '' || /^[^:\s]+:\S*$/.test(v), 'use user:password'),
  logBatchSize: positiveInt.max(10_000),
  logBatchIntervalMs: positiveInt,
  logBufferLines: positiveInt,
  logStoreMaxRows: positiveInt,
  logStoreOutputMaxRows: positiveInt,
  logStoreMaxAgeMs: positiveInt,
  auth: z.enum(['on', 'off']),
  credentialsFile: z.string(),
  jwtSecret: z.string().refine((v) => v === '' || Buffer.byteLength(v) >= 32, 'must be at least 32 bytes'),
  jwtPublicKey: z
    .string()
    .refine((v) => v === '' || v.includes('-----BEGIN PUBLIC KEY-----'), 'must be a PEM public key'),
  jwtJwksUrl: urlOption(/^https?:\/\//, 'http(s)://'),
  jwtIssuer: z.string(),
  jwtAudience: z.string(),
  jwtAlgorithms: z
    .string()
    .refine(
      (v) => v.split(',').every((a) => a.trim() === '' || JWT_ALGORITHMS.includes(a.trim())),
      `use some of ${JWT_ALGORITHMS.join(', ')}`,
    ),
  jwtProjectClaim: z.string().min(1),
  jwtAdminScope: z.string().min(1),
  quotaVms: z.coerce.number().int().min(0),
  quotaVcpus: z.coerce.number().int().min(0),
  quotaMemoryMiB: z.coerce.number().int().min(0),
  quotaProjects: z
    .string()
    .refine(
      (v) => v.trim() === '' || v.split(',').every((e) => QUOTA_ENTRY.test(e.trim())),
      'use project=vms/vcpus/memory_mib, comma-separated',
    ),
  rateLimitMax: positiveInt,
  rateLimitWindowMs: positiveInt,
  corsOrigins: z
    .string()
    .refine(
      (v) => v.split(',').every((o) => o.trim() === '' || /^https?:\/\/[^/\s]+$/.test(o.trim())),
      'use origins such as https://app.example.com, comma-separated',
    ),
  requestTimeoutMs: positiveInt,
  integrationsEnabled: z
    .string()
    .refine(
      (v) => v.split(',').every((n) => ['', 'github', 'slack'].includes(n.trim())),
      'must list integrations among github, slack, comma-separated',
    ),
  integrationsProject: z
    .string()
    .regex(PROJECT_PATTERN, 'must be a project name (lowercase letters, digits, - and _)'),
  integrationsSubscriptions: z
    .string()
    .refine(
      (v) => v.split(',').every((e) => e.trim() === '' || SUBSCRIPTION_ENTRY.test(e.trim())),
      'use event=integration, comma-separated (task.failed=slack)',
    ),
  githubToken: z.string(),
  githubWebhookSecret: z.string(),
  githubAppId: z.string().regex(/^(\d{1,12}|)$/, 'must be a numeric App id or empty'),
  githubAppPrivateKey: z
    .string()
    .refine((v) => v === '' || /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v), 'must be a PEM private key'),
  githubAppInstallationId: z.string().regex(/^(\d{1,12}|)$/, 'must be a numeric installation id or empty'),
  githubApiUrl: urlOption(/^https?:\/\//, 'http(s)://').refine((v) => v !== '', 'must be set'),
  githubCheckCommand: z.string().max(4096),
  githubRepositories: z
    .string()
    .refine(
      (v) =>
        v.split(',').every((r) => r.trim() === '' || /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(r.trim())),
      'use owner/name, comma-separated',
    ),
  slackBotToken: z.string(),
  slackSigningSecret: z.string(),
  slackApiUrl: urlOption(/^https?:\/\//, 'http(s)://').refine((v) => v !== '', 'must be set'),
  slackChannel: z.string().regex(/^([A-Za-z0-9_#-]{1,80}|)$/, 'must be a channel id such as C0123456789'),
});

export type AetherConfig = Readonly<z.infer<typeof configSchema>>;

/** Command-line values by option; `undefined` means the flag was not given. */
export type ConfigFlags = Partial<Record<ConfigKey, string | number | undefined>>;

/** What a config file sets, by option, before validation (see `parseConfigFile`). */
export interface ConfigFileValues {
  /** The file as the user named it; messages name it so. */
  path: string;
  values: Partial<Record<ConfigKey, unknown>>;
}

/** Where an option's value came from. */
export type ConfigSource = 'flag' | 'file' | 'env' | 'default';

/** The options whose value is always a number. */
type NumericKey = { [K in ConfigKey]: AetherConfig[K] extends number ? K : never }[ConfigKey];

/** Options whose `a < b` relation keeps workers and their observers consistent. */
const ORDERED_OPTIONS: readonly [NumericKey, NumericKey, string][] = [
  ['heartbeatIntervalMs', 'workerLeaseMs', 'a worker must renew its registration before its lease runs out'],
  ['workerLeaseMs', 'workerGraceMs', 'a worker must give up its VMs before other nodes declare it dead'],
];

const URL_OPTIONS: ReadonlySet<ConfigKey> = new Set(['databaseUrl', 'redisUrl', 'eventsRedisUrl']);

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function defaultWorkerId(): string {
  return (
    os
      .hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 64) || 'worker'
  );
}

function flagName(key: ConfigKey): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Which layer sets `key`: flags > config file > env > defaults. Empty values do not count. */
export function configSource(
  key: ConfigKey,
  env: Readonly<Record<string, string | undefined>>,
  flags: ConfigFlags = {},
  file?: ConfigFileValues,
): ConfigSource {
  if (!isUnset(flags[key])) return 'flag';
  if (file && !isUnset(file.values[key])) return 'file';
  if (!isUnset(env[CONFIG_OPTIONS[key].env])) return 'env';
  return 'default';
}

/**
 * Where a user changes `key`, given where its value came from: `--port`, `DATABASE_URL` or
 * `f.yaml:storage.database_url`. Error messages and start-up hints use it.
 */
export function configSettingName(key: ConfigKey, source: ConfigSource, filePath?: string): string {
  const option = CONFIG_OPTIONS[key];
  if (source === 'flag') return flagName(key);
  if (source === 'file' && filePath !== undefined) return `${filePath}:${option.file}`;
  return option.env;
}

/** A value for an error message, with any password in a URL masked. */
function shown(key: ConfigKey, value: unknown): string {
  if (SECRET_OPTIONS.has(key) && value) return '"***"';
  const text = JSON.stringify(value) ?? String(value);
  return URL_OPTIONS.has(key) ? text.replace(/(\/\/[^/:@]*:)[^/@]*@/, '$1***@') : text;
}

/**
 * Parse the configuration once, at the edge: flags > config file > env > defaults. Pure apart
 * from reading the hostname; the frozen result is passed down and nothing below reads
 * `process.env`. A relative data dir is resolved against `cwd`, or against the config file's
 * folder when the file sets it.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  flags: ConfigFlags = {},
  cwd = process.cwd(),
  file?: ConfigFileValues,
): AetherConfig {
  const raw: Record<string, unknown> = {};
  const sources = {} as Record<ConfigKey, ConfigSource>;
  const problems: string[] = [];
  const wrongType = new Set<ConfigKey>();
  const label = (key: ConfigKey) =>
    `${key} (${configSettingName(key, sources[key], file?.path)}=${shown(key, raw[key])})`;
  for (const [key, option] of Object.entries(CONFIG_OPTIONS) as [
    ConfigKey,
    (typeof CONFIG_OPTIONS)[ConfigKey],
  ][]) {
    const source = configSource(key, env, flags, file);
    sources[key] = source;
    let value: unknown =
      source === 'flag'
        ? flags[key]
        : source === 'file'
          ? file?.values[key]
          : source === 'env'
            ? env[option.env]
            : option.default;
    // YAML gives numbers, strings, booleans, lists and maps; a string option takes a number as
    // its text (`id: 7`), and nothing else is coerced (`true` must not become port 1).
    if (source === 'file' && typeof value === 'number' && typeof option.default === 'string') {
      value = String(value);
    }
    raw[key] = value;
    // A boolean option takes YAML's true/false as they are, and the env's text 'true'/'false'.
    const isBooleanOption = typeof option.default === 'boolean';
    if (
      typeof value !== 'string' &&
      typeof value !== 'number' &&
      !(isBooleanOption && typeof value === 'boolean')
    ) {
      wrongType.add(key);
      problems.push(
        `${label(key)}: expected a ${isBooleanOption ? 'boolean' : typeof option.default === 'number' ? 'number' : 'string'}`,
      );
    }
  }
  if (raw.workerId === '<hostname>') raw.workerId = defaultWorkerId();
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]) as ConfigKey;
      if (!(key in CONFIG_OPTIONS)) problems.push(`${key}: ${issue.message}`);
      else if (!wrongType.has(key)) problems.push(`${label(key)}: ${issue.message}`);
    }
  }
  if (problems.length === 0 && parsed.success) {
    for (const [lower, higher, why] of ORDERED_OPTIONS) {
      if (parsed.data[lower] >= parsed.data[higher]) {
        problems.push(`${label(lower)} must be less than ${label(higher)}: ${why}`);
      }
    }
    if (parsed.data.logProvider === 'loki' && parsed.data.lokiUrl === '') {
      problems.push(`${label('lokiUrl')}: must be set when ${label('logProvider')} is loki`);
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new AetherError('ERR_CONFIG', `invalid configuration: ${problems.join('; ')}`);
  }
  const base =
    sources.dataDir === 'file' && file ? path.resolve(cwd, path.dirname(file.path)) : path.resolve(cwd);
  const dataDir = path.resolve(base, parsed.data.dataDir);
  const imageBase =
    sources.imageDir === 'file' && file ? path.resolve(cwd, path.dirname(file.path)) : path.resolve(cwd);
  const imageDir = parsed.data.imageDir ? path.resolve(imageBase, parsed.data.imageDir) : dataDir;
  return Object.freeze({ ...parsed.data, dataDir, imageDir });
}
