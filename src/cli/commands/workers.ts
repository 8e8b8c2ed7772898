import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { age, printJson, printTable } from '../format.js';

/** `aether worker ls`: the cluster's workers as the registry sees them. */
export function registerWorkerList(worker: Command): void {
  worker
    .command('ls')
    .description('list workers: status, host, drivers, load and last heartbeat')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const workers = await clientFromEnv().listWorkers();
      if (opts.json) return printJson(workers);
      printTable(
        ['ID', 'STATUS', 'HOST', 'DRIVERS', 'TASKS', 'VERSION', 'HEARTBEAT', 'UP'],
        workers.map((w) => [
          w.id,
          w.status,
          w.host,
          w.drivers.join(','),
          `${w.active_tasks}/${w.capacity}`,
          w.version,
          `${age(w.last_heartbeat_at)} ago`,
          age(w.started_at),
        ]),
      );
    });
}
