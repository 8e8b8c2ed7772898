import type { Command } from 'commander';
import type { Vm } from '../../client/types.js';
import { parseToolList, parseToolVersions } from '../../core/tools.js';
import { clientFromEnv } from '../client-from-env.js';
import { driverName } from '../driver-name.js';
import { age, printFields, printJson, printTable } from '../format.js';
import { printSnapshot } from './snapshots.js';

export function printVm(vm: Vm): void {
  printFields([
    ['id', vm.id],
    ['name', vm.name],
    ['status', vm.status],
    ['reason', vm.status_reason],
    ['driver', vm.driver],
    ['vcpus', vm.vcpus],
    ['memory', `${vm.memory_mib} MiB`],
    ['image', vm.image ?? (vm.driver === 'process' ? "none (the host's /usr, read-only)" : 'driver default')],
    ['network', vm.network ? 'outbound' : 'none (loopback only)'],
    ['worker', vm.worker_id],
    [
      'isolation',
      vm.isolation ? `${vm.isolation.level} (${vm.isolation.kernel} kernel): ${vm.isolation.summary}` : null,
    ],
    ['tools', vm.tools ? toolsLine(vm.tools) : null],
    [
      'missing',
      vm.tools?.missing.length ? vm.tools.missing.map((t) => `${t.name} (${t.reason})`).join('; ') : null,
    ],
    ['created', vm.created_at],
    ['started', vm.started_at],
  ]);
}

/** `git 2.39.5 (image), node 20.19.0 (npm)`, or what was asked while the VM is being made. */
function toolsLine(tools: NonNullable<Vm['tools']>): string {
  if (tools.installed.length > 0) {
    return tools.installed.map((t) => `${t.name} ${t.version} (${t.origin})`).join(', ');
  }
  const asked = tools.requested.map((t) => (t.version ? `${t.name}@${t.version}` : t.name)).join(', ');
  return asked === '' ? 'none' : `asked: ${asked}`;
}

const int = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`expected a whole number, got "${value}"`);
  return n;
};

export function registerVmCommands(program: Command): void {
  const vm = program.command('vm').description('create, list, inspect and delete VMs');

  vm.command('create <name>')
    .description('create a VM and wait until it is running')
    .option('--driver <driver>', 'process, docker, qemu or firecracker (default: the server default)')
    .option('--vcpus <n>', 'virtual CPUs', int)
    .option('--memory <mib>', 'memory in MiB', int)
    .option('--image <ref>', 'guest image, a Docker reference (docker or microVM drivers)')
    .option('--network', 'allow outbound network access (docker or microVM drivers)')
    .option(
      '--from-snapshot <id>',
      'start from a snapshot (its driver, shape and network) instead of booting',
    )
    .option('--tools <list>', 'tools besides the default set, comma-separated (go,python)', parseToolList)
    .option('--tool-versions <list>', 'versions, comma-separated NAME=VERSION (go=1.23.0)', (v) =>
      parseToolVersions(v, '--tool-versions'),
    )
    .option('--no-wait', 'return as soon as the task is queued')
    .option('--json', 'print JSON')
    .action(
      async (
        name: string,
        opts: {
          driver?: string;
          vcpus?: number;
          memory?: number;
          image?: string;
          network?: boolean;
          fromSnapshot?: string;
          tools?: string[];
          toolVersions?: Record<string, string>;
          wait: boolean;
          json?: boolean;
        },
      ) => {
        const res = await clientFromEnv().createVm(
          {
            name,
            ...(opts.fromSnapshot ? { from_snapshot: opts.fromSnapshot } : {}),
            ...(opts.driver ? { driver: driverName(opts.driver) } : {}),
            ...(opts.vcpus ? { vcpus: opts.vcpus } : {}),
            ...(opts.memory ? { memory_mib: opts.memory } : {}),
            ...(opts.image ? { image: opts.image } : {}),
            ...(opts.network ? { network: true } : {}),
            ...(opts.tools?.length ? { additional_tools: opts.tools } : {}),
            ...(opts.toolVersions ? { tool_versions: opts.toolVersions } : {}),
          },
          { wait: opts.wait },
        );
        if (opts.json) return printJson(res);
        printVm(res.vm);
        if (!opts.wait) process.stdout.write(`task      ${res.task_id} (${res.status})\n`);
      },
    );

  vm.command('snapshot <vm>')
    .description('save a running VM (memory, devices, disk) and print the snapshot; the VM runs on')
    .option('--no-wait', 'return as soon as the task is queued')
    .option('--json', 'print JSON')
    .action(async (idOrName: string, opts: { wait: boolean; json?: boolean }) => {
      const res = await clientFromEnv().snapshotVm(idOrName, { wait: opts.wait });
      if (opts.json) return printJson(res);
      printSnapshot(res.snapshot);
      if (!opts.wait) process.stdout.write(`task      ${res.task_id} (${res.status})\n`);
    });

  vm.command('ls')
    .alias('list')
    .description('list VMs')
    .option('--all', 'include deleted VMs')
    .option('--status <list>', 'only these statuses (comma-separated)')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; status?: string; json?: boolean }) => {
      const vms = await clientFromEnv().listVms({
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.all ? { includeDeleted: true } : {}),
      });
      if (opts.json) return printJson(vms);
      printTable(
        ['NAME', 'ID', 'STATUS', 'DRIVER', 'VCPUS', 'MEMORY', 'AGE'],
        vms.map((v) => [v.name, v.id, v.status, v.driver, v.vcpus, `${v.memory_mib}M`, age(v.created_at)]),
      );
    });

  vm.command('get <vm>')
    .description('show one VM (by id or name)')
    .option('--json', 'print JSON')
    .action(async (idOrName: string, opts: { json?: boolean }) => {
      const res = await clientFromEnv().getVm(idOrName);
      if (opts.json) return printJson(res);
      printVm(res);
    });

  vm.command('rm <vm>')
    .alias('delete')
    .description('delete a VM and everything it holds')
    .option('--no-wait', 'return as soon as the task is queued')
    .option('--json', 'print JSON')
    .action(async (idOrName: string, opts: { wait: boolean; json?: boolean }) => {
      const res = await clientFromEnv().deleteVm(idOrName, { wait: opts.wait });
      if (opts.json) return printJson(res);
      process.stdout.write(
        `${res.vm.name} ${opts.wait ? res.vm.status : `deleting (task ${res.task_id})`}\n`,
      );
    });
}
