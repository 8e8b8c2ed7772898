import type { Command } from 'commander';
import { CONFIG_OPTIONS, type ConfigFlags, type ConfigKey } from '../../core/config.js';
import { AetherError } from '../../core/errors.js';
import { requireClusterBackends } from '../../runtime/backends.js';
import { type ResolvedConfig, resolveConfig } from '../../runtime/config-file.js';
import { createLogger } from '../../runtime/logger.js';
import { serviceName } from '../../runtime/logging.js';
import { migrateFromConfig } from '../../runtime/migrate.js';
import { startNode } from '../../runtime/node.js';
import { registerWorkerList } from './workers.js';

interface ServerFlags {
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

function withServerOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'YAML config file (env AETHER_CONFIG); flags beat it, it beats env')
    .option('-p, --port <port>', 'gateway port (env AETHER_PORT, default 8080)')
    .option('--host <address>', 'gateway address (env AETHER_HOST, default 127.0.0.1)')
    .option('-d, --data-dir <dir>', 'state directory (env AETHER_DATA_DIR, default ./.aether)')
    .option('--driver <name>', 'default VM driver (env AETHER_DRIVER, default process)')
    .option('--log-level <level>', 'log level (env AETHER_LOG_LEVEL, default info)')
    .option(
      '--log-format <format>',
      'pretty, json, or auto: pretty on a terminal, JSON otherwise (env AETHER_LOG_FORMAT, default auto)',
    )
    .option(
      '--metrics-port <port>',
      'serve GET /metrics on its own unauthenticated listener (env AETHER_METRICS_PORT, default none)',
    )
    .option(
      '--metrics-host <address>',
      'metrics listener address (env AETHER_METRICS_HOST, default 127.0.0.1)',
    );
}

async function runUntilSignalled(
  flags: ServerFlags,
  roles: { gateway: boolean; worker: boolean },
): Promise<void> {
  const resolved = resolveFrom(flags);
  const { config } = resolved;
  const logger = createLogger(config.logLevel, serviceName(roles), config.logFormat);
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

export function registerServerCommands(program: Command): void {
  withServerOptions(
    program.command('up').description('run gateway + worker + embedded store and queue in one process'),
  ).action((flags: ServerFlags) => runUntilSignalled(flags, { gateway: true, worker: true }));

  withServerOptions(
    program.command('gateway').description('run only the HTTP gateway (needs DATABASE_URL and REDIS_URL)'),
  ).action((flags: ServerFlags) => runUntilSignalled(flags, { gateway: true, worker: false }));

  const worker = withServerOptions(
    program
      .command('worker')
      .description('run only a worker (needs DATABASE_URL and REDIS_URL); `worker ls` lists them'),
  ).action((flags: ServerFlags) => runUntilSignalled(flags, { gateway: false, worker: true }));
  registerWorkerList(worker);

  program
    .command('migrate')
    .description('apply database migrations (embedded data dir, or DATABASE_URL)')
    .option('-c, --config <file>', 'YAML config file (env AETHER_CONFIG); flags beat it, it beats env')
    .option('-d, --data-dir <dir>', 'state directory (env AETHER_DATA_DIR, default ./.aether)')
    .action(async (flags: ServerFlags) => {
      const resolved = resolveFrom(flags);
      if (resolved.configFile) process.stdout.write(`config: ${resolved.configFile}\n`);
      process.stdout.write(`${await starting(resolved, () => migrateFromConfig(resolved.config))}\n`);
    });
}
