import type { Command } from 'commander';
import type { NodeRoles, ServerFlags } from '../server-commands/serve.js';
import { registerWorkerList } from './workers.js';

/** The node itself loads only once one of these commands runs: client commands never pay for it. */
const actions = () => import('../server-commands/serve.js');

async function runUntilSignalled(flags: ServerFlags, roles: NodeRoles): Promise<void> {
  await (await actions()).runUntilSignalled(flags, roles);
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
    .action(async (flags: ServerFlags) => (await actions()).migrateCommand(flags));
}
