import type { Command } from 'commander';
import { type AetherConfig, type ConfigKey, loadConfig } from '../../core/config.js';
import { createLogger } from '../../runtime/logger.js';
import { migrateFromConfig } from '../../runtime/migrate.js';
import { startNode } from '../../runtime/node.js';

interface ServerFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  driver?: string;
  logLevel?: string;
}

function configFrom(flags: ServerFlags): AetherConfig {
  const overrides: Partial<Record<ConfigKey, string>> = {};
  if (flags.port !== undefined) overrides.port = flags.port;
  if (flags.host !== undefined) overrides.host = flags.host;
  if (flags.dataDir !== undefined) overrides.dataDir = flags.dataDir;
  if (flags.driver !== undefined) overrides.driver = flags.driver;
  if (flags.logLevel !== undefined) overrides.logLevel = flags.logLevel;
  return loadConfig(process.env, overrides);
}

function withServerOptions(command: Command): Command {
  return command
    .option('-p, --port <port>', 'gateway port (env AETHER_PORT, default 8080)')
    .option('--host <address>', 'gateway address (env AETHER_HOST, default 127.0.0.1)')
    .option('-d, --data-dir <dir>', 'state directory (env AETHER_DATA_DIR, default ./.aether)')
    .option('--driver <name>', 'default VM driver (env AETHER_DRIVER, default process)')
    .option('--log-level <level>', 'log level (env AETHER_LOG_LEVEL, default info)');
}

async function runUntilSignalled(
  flags: ServerFlags,
  roles: { gateway: boolean; worker: boolean },
): Promise<void> {
  const config = configFrom(flags);
  const logger = createLogger(config.logLevel);
  const node = await startNode(config, logger, roles);
  process.stdout.write(
    `aether ${roles.gateway && roles.worker ? 'up' : roles.gateway ? 'gateway' : 'worker'}\n`,
  );
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

  withServerOptions(
    program.command('worker').description('run only a worker (needs DATABASE_URL and REDIS_URL)'),
  ).action((flags: ServerFlags) => runUntilSignalled(flags, { gateway: false, worker: true }));

  program
    .command('migrate')
    .description('apply database migrations (embedded data dir, or DATABASE_URL)')
    .option('-d, --data-dir <dir>', 'state directory (env AETHER_DATA_DIR, default ./.aether)')
    .action(async (flags: ServerFlags) => {
      const config = configFrom(flags);
      process.stdout.write(`${await migrateFromConfig(config)}\n`);
    });
}
