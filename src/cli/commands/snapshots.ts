import type { Snapshot } from '@aetherium/sdk';
import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { age, printFields, printJson, printTable } from '../format.js';

const mib = (bytes: number | null) => (bytes === null ? null : `${Math.round(bytes / 1024 ** 2)} MiB`);

export function printSnapshot(snapshot: Snapshot): void {
  printFields([
    ['snapshot', snapshot.id],
    ['status', snapshot.status],
    ['reason', snapshot.status_reason],
    ['source vm', snapshot.source_vm_id],
    ['driver', snapshot.driver],
    ['shape', `${snapshot.vcpus} vCPU, ${snapshot.memory_mib} MiB`],
    ['worker', snapshot.worker_id],
    ['size', mib(snapshot.size_bytes)],
    ['created', snapshot.created_at],
  ]);
  if (snapshot.status === 'ready' || snapshot.status === 'pending') {
    process.stdout.write(`start VMs from it: aether vm create <name> --from-snapshot ${snapshot.id}\n`);
  }
}

/** `aether snapshot ls|get|rm`; taking one is `aether vm snapshot <vm>`. */
export function registerSnapshotCommands(program: Command): void {
  const snapshot = program
    .command('snapshot')
    .description('list, inspect and delete VM snapshots (take one with `aether vm snapshot <vm>`)');

  snapshot
    .command('ls')
    .alias('list')
    .description('list snapshots, newest first')
    .option('--vm <vm>', 'only snapshots of this VM (id or name)')
    .option('--status <list>', 'only these statuses (comma-separated)')
    .option('--all', 'include deleted snapshots')
    .option('--json', 'print JSON')
    .action(async (opts: { vm?: string; status?: string; all?: boolean; json?: boolean }) => {
      const snapshots = await clientFromEnv().listSnapshots({
        ...(opts.vm ? { vm: opts.vm } : {}),
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.all ? { includeDeleted: true } : {}),
      });
      if (opts.json) return printJson(snapshots);
      printTable(
        ['ID', 'STATUS', 'SOURCE VM', 'DRIVER', 'SHAPE', 'SIZE', 'AGE'],
        snapshots.map((s) => [
          s.id,
          s.status,
          s.source_vm_id,
          s.driver,
          `${s.vcpus} vCPU/${s.memory_mib}M`,
          mib(s.size_bytes) ?? '-',
          age(s.created_at),
        ]),
      );
    });

  snapshot
    .command('get <id>')
    .description('show one snapshot')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const res = await clientFromEnv().getSnapshot(id);
      if (opts.json) return printJson(res);
      printSnapshot(res);
    });

  snapshot
    .command('rm <id>')
    .alias('delete')
    .description('delete a snapshot (refused while VMs made from it exist)')
    .option('--no-wait', 'return as soon as the task is queued')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { wait: boolean; json?: boolean }) => {
      const res = await clientFromEnv().deleteSnapshot(id, { wait: opts.wait });
      if (opts.json) return printJson(res);
      printSnapshot(res.snapshot);
      if (!opts.wait) process.stdout.write(`task      ${res.task_id} (${res.status})\n`);
    });
}
