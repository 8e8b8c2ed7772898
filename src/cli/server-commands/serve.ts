/**
 * What `aether up|gateway|worker|migrate` run: the whole node from src/runtime. Loaded by
 * `commands/server.ts` through `import()` once one of them is chosen, so client commands never
 * pay for it.
 */

import { AetherError } from '../../core/errors.js';
import { requireClusterBackends } from '../../runtime/backends.js';
import { CONFIG_OPTIONS, type ConfigFlags, type ConfigKey } from '../../runtime/config.js';
import { type ResolvedConfig, resolveConfig } from '../../runtime/config-file.js';
import { createLogger } from '../../runtime/logger.js';
import { serviceName } from '../../runtime/logging.js';
import { migrateFromConfig } from '../../runtime/migrate.js';
import { startNode } from '../../runtime/node.js';

export interface ServerFlags {
  config?: string;
  port?: string;
  host?: string;
  dataDir?: string;
  driver?: string;
  logLevel?: string;
  logFormat?: string;
  metricsPort?: string;
  metricsHost?: string;
}

export interface NodeRoles {
  gateway: boolean;
  worker: boolean;
}

function resolveFrom(flags: ServerFlags): ResolvedConfig {
  const overrides: ConfigFlags = {
    port: flags.port,
    host: flags.host,
    dataDir: flags.dataDir,
    driver: flags.driver,
    logLevel: flags.logLevel,
    logFormat: flags.logFormat,
    metricsPort: flags.metricsPort,
    metricsHost: flags.metricsHost,
  };
  return resolveConfig({ env: process.env, flags: overrides, configPath: flags.config });
}

const LISTEN_FAILURES: Record<string, [string, ConfigKey]> = {
  EADDRINUSE: ['address already in use', 'port'],
  EACCES: ['permission denied', 'port'],
  EADDRNOTAVAIL: ['address not available on this host', 'host'],
  ENOTFOUND: ['host name not found', 'host'],
};

/**
 * Start-up failures as one line that names what to fix: runtime errors carry the option in
 * `details.option`, and here it becomes the flag, config file key or env var that set it.
 */
function explain(error: unknown, resolved: ResolvedConfig): unknown {
  if (error instanceof AetherError) {
    const option = error.details?.option;
    if (typeof option !== 'string' || !(option in CONFIG_OPTIONS)) return error;
    return new AetherError(
      error.code,
      `${error.message}; check ${resolved.settingName(option as ConfigKey)}`,
      { cause: error },
    );
  }
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  const listen = typeof code === 'string' && syscall === 'listen' ? LISTEN_FAILURES[code] : undefined;
  if (listen || (code === 'ENOTFOUND' && syscall === 'getaddrinfo')) {
    const [why, option] = listen ?? LISTEN_FAILURES.ENOTFOUND!;
    const { host, port } = resolved.config;
    return new AetherError(
      'ERR_CONFIG',
      `cannot listen on ${host}:${port} (${why}); check ${resolved.settingName(option)}`,
      { cause: error },
    );
  }
  return error;
}

/**
 * Runs `start`; when it fails, rethrows the failure explained and makes sure the process ends
 * even if a half-opened client still holds a socket or a timer.
 */
async function starting<T>(resolved: ResolvedConfig, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    setTimeout(() => process.exit(process.exitCode ?? 1), 500).unref();
    throw explain(error, resolved);
  }
}

/** Starts a node with `roles` and keeps it up until SIGINT or SIGTERM, then closes it. */
export async function runUntilSignalled(flags: ServerFlags, roles: NodeRoles): Promise<void> {
  const resolved = resolveFrom(flags);
  const { config } = resolved;
  const logger = createLogger(config.logLevel, serviceName(roles), config.logFormat);
  for (const notice of resolved.notices) logger.warn({ deprecated: notice.subject }, notice.message);
  const node = await starting(resolved, async () => {
    requireClusterBackends(config, roles);
    return startNode(config, logger, roles);
  });
  process.stdout.write(
    `aether ${roles.gateway && roles.worker ? 'up' : roles.gateway ? 'gateway' : 'worker'}\n`,
  );
  if (resolved.configFile) process.stdout.write(`  config: ${resolved.configFile}\n`);
  for (const line of node.banner) process.stdout.write(`  ${line}\n`);
  process.stdout.write('Ctrl-C stops it; VMs keep their files and are picked up again on the next start.\n');
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write('aether: forced exit\n');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      node.close().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

/** `aether migrate`: applies the migrations of the configured database and prints what it did. */
export async function migrateCommand(flags: ServerFlags): Promise<void> {
  const resolved = resolveFrom(flags);
  const logger = createLogger(resolved.config.logLevel, 'migrate', resolved.config.logFormat);
  for (const notice of resolved.notices) logger.warn({ deprecated: notice.subject }, notice.message);
  if (resolved.configFile) process.stdout.write(`config: ${resolved.configFile}\n`);
  process.stdout.write(`${await starting(resolved, () => migrateFromConfig(resolved.config))}\n`);
}
