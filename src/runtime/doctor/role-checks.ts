/**
 * `aether doctor --role R`: what a node of role R needs before it starts, from the same resolved
 * configuration it would start with. Backends for every role that uses them; the data plane for
 * a cluster's gateways and workers; the drivers' host checks for the roles that run VMs.
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HostCheck } from '../../core/driver-module.js';
import type { Logger } from '../../core/logger.js';
import { requireClusterBackends } from '../backends.js';
import type { AetherConfig } from '../config.js';
import { checkDriverHosts, type DriverHostCheck, enabledDrivers } from '../drivers.js';
import { dashboardPath } from '../paths.js';
import { postgresChecks, redisChecks } from './backend-checks.js';

export const DOCTOR_ROLES = ['up', 'gateway', 'worker', 'migrate'] as const;
export type DoctorRole = (typeof DOCTOR_ROLES)[number];

export interface RoleReport {
  role: DoctorRole;
  checks: HostCheck[];
  /** The drivers' own host checks (worker and up). */
  drivers: DriverHostCheck[];
  ok: boolean;
}

export async function checkRole(role: DoctorRole, config: AetherConfig, logger: Logger): Promise<RoleReport> {
  const checks: HostCheck[] = [];
  const runsGateway = role === 'gateway' || role === 'up';
  const runsWorker = role === 'worker' || role === 'up';
  if (role === 'gateway' || role === 'worker') checks.push(clusterCheck(config, role));
  if (config.databaseUrl) {
    const store = await postgresChecks(config.databaseUrl);
    // Before `aether migrate`, pending migrations are what it is about to apply.
    if (role === 'migrate') for (const item of store) if (item.item === 'migrations') item.required = false;
    checks.push(...store);
  } else {
    checks.push(writableDir('data-dir', 'embedded store', config.dataDir));
  }
  if (role !== 'migrate' && config.redisUrl) {
    checks.push(...(await redisChecks(config.redisUrl, 'redisUrl')));
    if (config.eventsRedisUrl && config.eventsRedisUrl !== config.redisUrl)
      checks.push(...(await redisChecks(config.eventsRedisUrl, 'eventsRedisUrl')));
  }
  if (role === 'gateway' || role === 'worker') checks.push(dataPlaneCheck(config, role));
  if (runsGateway) checks.push(dashboardCheck(dashboardPath(config.dashboardDir)));
  if (runsWorker && config.databaseUrl) checks.push(writableDir('data-dir', 'worker state', config.dataDir));
  // Only the drivers this node would run (AETHER_DRIVERS), unlike the plain `aether doctor`.
  const enabled = runsWorker ? enabledDrivers(config) : [];
  const drivers = runsWorker
    ? (await checkDriverHosts(config, logger)).filter((result) => enabled.includes(result.driver))
    : [];
  const ok = checks.every((item) => item.ok || !item.required) && drivers.every((result) => result.report.ok);
  return { role, checks, drivers, ok };
}

function clusterCheck(config: AetherConfig, role: 'gateway' | 'worker'): HostCheck {
  try {
    requireClusterBackends(config, { gateway: role === 'gateway', worker: role === 'worker' });
    return {
      item: 'cluster',
      title: 'cluster backends',
      ok: true,
      required: true,
      detail: 'DATABASE_URL and REDIS_URL are set',
      fix: null,
    };
  } catch (error) {
    return {
      item: 'cluster',
      title: 'cluster backends',
      ok: false,
      required: true,
      detail: (error as Error).message,
      fix: 'set DATABASE_URL and REDIS_URL to the cluster’s PostgreSQL and Redis',
    };
  }
}

/** Files, stdin, terminals and ports of a VM cross from a gateway to its worker only with a secret. */
function dataPlaneCheck(config: AetherConfig, role: 'gateway' | 'worker'): HostCheck {
  const set = config.clusterSecret !== '';
  const loopback = /^(127\.|\[::1\]|localhost)/.test(config.dataPlaneListen);
  const detail = !set
    ? 'AETHER_CLUSTER_SECRET is empty: files, stdin, terminals and ports cannot reach VMs on other hosts'
    : role === 'worker' && loopback && config.dataPlaneAddress === ''
      ? `the data plane listens on ${config.dataPlaneListen}: only gateways on this host reach it`
      : role === 'worker'
        ? `data plane on ${config.dataPlaneListen}${config.dataPlaneAddress ? `, announced as ${config.dataPlaneAddress}` : ''}`
        : 'cluster secret set';
  return {
    item: 'data-plane',
    title: 'data plane',
    ok: set && !(role === 'worker' && loopback && config.dataPlaneAddress === ''),
    required: false,
    detail,
    fix:
      role === 'worker'
        ? 'set the same AETHER_CLUSTER_SECRET (32+ bytes) on every gateway and worker, and AETHER_DATA_PLANE_LISTEN to a private interface (with AETHER_DATA_PLANE_ADDRESS if gateways reach it through another address)'
        : 'set the same AETHER_CLUSTER_SECRET (32+ bytes) on every gateway and worker',
  };
}

function dashboardCheck(dir: string): HostCheck {
  const found = existsSync(join(dir, 'index.html'));
  return {
    item: 'dashboard',
    title: 'dashboard',
    ok: found,
    required: false,
    detail: found ? `served from ${dir}` : `no build at ${dir}: / answers 404, the API is unaffected`,
    fix: 'run `npm ci` (it builds the dashboard) or set AETHER_DASHBOARD_DIR',
  };
}

function writableDir(item: string, title: string, dir: string): HostCheck {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return { item, title, ok: true, required: true, detail: `${dir} is writable`, fix: null };
  } catch (error) {
    return {
      item,
      title,
      ok: false,
      required: true,
      detail: `${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      fix: 'point AETHER_DATA_DIR at a directory this user can write',
    };
  }
}
