import os from 'node:os';
import { z } from 'zod';
import { booleanOption, defineOptions, positiveInt } from './option.js';

/** The host name, shaped into a worker id. */
function defaultWorkerId(): string {
  return (
    os
      .hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 64) || 'worker'
  );
}

/** A worker's identity, pace and leases, and its metrics listener (sections `worker`, `metrics`). */
export const WORKER_OPTIONS = defineOptions({
  workerId: {
    env: 'AETHER_WORKER_ID',
    file: 'worker.id',
    default: '<hostname>',
    doc: 'Identity of this worker',
    schema: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore; at most 64'),
    fillDefault: defaultWorkerId,
  },
  workerConcurrency: {
    env: 'AETHER_WORKER_CONCURRENCY',
    file: 'worker.concurrency',
    default: 16,
    doc: 'Tasks one worker runs at once',
    schema: positiveInt.max(1024),
  },
  heartbeatIntervalMs: {
    env: 'AETHER_HEARTBEAT_INTERVAL_MS',
    file: 'worker.heartbeat_interval_ms',
    default: 5_000,
    doc: 'How often a worker renews its registration',
    schema: positiveInt,
  },
  workerLeaseMs: {
    env: 'AETHER_WORKER_LEASE_MS',
    file: 'worker.lease_ms',
    default: 15_000,
    doc: 'A worker that cannot renew for this long stops taking work and kills its VMs',
    schema: positiveInt,
  },
  workerGraceMs: {
    env: 'AETHER_WORKER_GRACE_MS',
    file: 'worker.grace_ms',
    default: 30_000,
    doc: 'Silence after which other nodes declare a worker dead and its VMs lost',
    schema: positiveInt,
  },
  drainTimeoutMs: {
    env: 'AETHER_DRAIN_TIMEOUT_MS',
    file: 'worker.drain_timeout_ms',
    default: 30_000,
    doc: 'On SIGTERM, how long a worker waits for running tasks before handing them back',
    schema: positiveInt,
  },
  healthIntervalMs: {
    env: 'AETHER_HEALTH_INTERVAL_MS',
    file: 'worker.health_interval_ms',
    default: 2_000,
    doc: 'How often a worker checks that its running VMs are alive (sandbox up, agent answering a ping); a VM failing two looks in a row becomes `failed` with the reason',
    schema: positiveInt,
  },
  clusterSecret: {
    env: 'AETHER_CLUSTER_SECRET',
    file: 'cluster.secret',
    default: '',
    doc: "Shared by the gateways and workers of a cluster (at least 32 bytes): gateways present it to reach a worker's data plane (files, stdin, signals); empty = no data plane between processes",
    schema: z.string().refine((v) => v === '' || Buffer.byteLength(v) >= 32, 'must be at least 32 bytes'),
    secret: true,
  },
  dataPlaneListen: {
    env: 'AETHER_DATA_PLANE_LISTEN',
    file: 'cluster.data_plane_listen',
    default: '127.0.0.1:0',
    doc: 'Where a worker with a cluster secret listens for gateways (host:port; port 0 = any free port); use a private interface',
    schema: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'must be host:port'),
  },
  dataPlaneAddress: {
    env: 'AETHER_DATA_PLANE_ADDRESS',
    file: 'cluster.data_plane_address',
    default: '',
    doc: "The URL gateways use to reach this worker's data plane (e.g. http://10.0.0.7:8091); empty = the listen address",
    schema: z
      .string()
      .refine((v) => v === '' || /^https?:\/\/[^\s/]+\/?$/.test(v), 'must be http(s)://host:port'),
  },
  metricsPort: {
    env: 'AETHER_METRICS_PORT',
    file: 'metrics.port',
    default: '',
    doc: 'TCP port of a separate, unauthenticated listener serving only GET /metrics (for `aether worker`); empty = none (a gateway serves /metrics on its own port, to admins)',
    schema: z
      .string()
      .regex(/^(\d{1,5}|)$/, 'must be a TCP port, or empty for no metrics listener')
      .transform((v) => (v === '' ? null : Number(v)))
      .refine((v) => v === null || v <= 65_535, 'must be at most 65535'),
  },
  metricsHost: {
    env: 'AETHER_METRICS_HOST',
    file: 'metrics.host',
    default: '127.0.0.1',
    doc: 'Address the metrics listener binds; keep it loopback or private (no authentication)',
    schema: z.string().min(1),
  },
  metricsPerVm: {
    env: 'AETHER_METRICS_PER_VM',
    file: 'metrics.per_vm',
    default: false,
    doc: "Export each running VM's usage (aether_vm_cpu_seconds_total, aether_vm_memory_bytes, aether_vm_processes, labelled by VM id, name, project and driver) from the worker that owns it; read at each scrape, one series set per VM",
    schema: booleanOption,
  },
  terminalDetachGraceMs: {
    env: 'AETHER_TERMINAL_DETACH_GRACE_MS',
    file: 'worker.terminal_detach_grace_ms',
    default: 600_000,
    doc: 'How long a terminal session with no client attached waits for one to re-attach (`aether attach`) before its command is hung up on (SIGHUP)',
    schema: positiveInt,
  },
  maxTerminalsPerVm: {
    env: 'AETHER_MAX_TERMINALS_PER_VM',
    file: 'worker.max_terminals_per_vm',
    default: 32,
    doc: 'Terminal sessions one VM may hold at once; more answer 429 ERR_TOO_MANY_STREAMS',
    schema: positiveInt,
  },
  tunnelIdleTimeoutMs: {
    env: 'AETHER_TUNNEL_IDLE_TIMEOUT_MS',
    file: 'worker.tunnel_idle_timeout_ms',
    default: 600_000,
    doc: 'A connection to a port inside a VM (port-forward, preview URL, proxy) with no byte either way for this long is closed',
    schema: positiveInt,
  },
  maxTunnelsPerVm: {
    env: 'AETHER_MAX_TUNNELS_PER_VM',
    file: 'worker.max_tunnels_per_vm',
    default: 256,
    doc: 'Connections to ports one VM may hold open at once; more answer 429 ERR_TOO_MANY_STREAMS',
    schema: positiveInt,
  },
});
