import type { Vm } from '@aetherium/sdk';
import type { Command } from 'commander';
import { parseToolList, parseToolVersions } from '../../core/tools.js';
import { clientFromEnv } from '../client-from-env.js';
import { driverName } from '../driver-name.js';
import { age, printFields, printJson, printTable } from '../format.js';
import { collectLabel, labelsFromArgs, labelsLine } from '../label-args.js';
import { expiresColumn, expiryLine, parseDurationSeconds } from '../lifetime-format.js';
import { parseRestartPolicy, restartLine } from '../restart-format.js';
import { printSnapshot } from './snapshots.js';
import { registerVmUrlCommands } from './vm-url.js';
import { printUsageOf, registerVmUsageCommand } from './vm-usage.js';

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
    ['labels', labelsLine(vm)],
    [
      'isolation',
      vm.isolation ? `${vm.isolation.level} (${vm.isolation.kernel} kernel): ${vm.isolation.summary}` : null,
    ],
    ['limits', vm.isolation?.limits ? limitsLine(vm) : null],
    ['tools', vm.tools ? toolsLine(vm.tools) : null],
    [
      'missing',
      vm.tools?.missing.length ? vm.tools.missing.map((t) => `${t.name} (${t.reason})`).join('; ') : null,
    ],
    ['created', vm.created_at],
    ['started', vm.started_at],
    ['stopped', vm.stopped_at],
    ['hibernated', vm.hibernated_at && `${vm.hibernated_at} (its memory is on disk; resume wakes it)`],
    ['expires', expiryLine(vm)],
    ['restart', restartLine(vm)],
  ]);
}

/** `enforced: 1 vCPU, 256 MiB (no swap), 512 tasks, /tmp 256 MiB, home 4096 MiB (cgroup v1)`, or why not. */
function limitsLine(vm: Vm): string {
  const limits = vm.isolation!.limits!;
  if (!limits.enforced) return `NOT enforced: ${limits.mechanism}`;
  const parts = [
    `${vm.vcpus} vCPU${vm.vcpus === 1 ? '' : 's'}`,
    `${vm.memory_mib} MiB (no swap)`,
    limits.pids === null ? null : `${limits.pids} tasks`,
    limits.tmp_mib === null ? null : `/tmp ${limits.tmp_mib} MiB`,
    limits.disk_mib === null ? null : `home ${limits.disk_mib} MiB`,
  ].filter(Boolean);
  return `enforced: ${parts.join(', ')} (${limits.mechanism.split(':')[0]})`;
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
    .option('--ttl <duration>', 'lifetime from now (90s, 30m, 2h, 1d); 0 = none', (v) =>
      parseDurationSeconds(v, '--ttl'),
    )
    .option(
      '--idle-timeout <duration>',
      'end the VM after this long with no command running (5m); 0 = none',
      (v) => parseDurationSeconds(v, '--idle-timeout'),
    )
    .option(
      '--on-expiry <action>',
      'what a VM past its ttl or idle timeout becomes: stop, delete or pause (hibernated on qemu and firecracker)',
    )
    .option(
      '--restart <policy>',
      'when the health check finds the VM dead: never (default), or on-failure[:N] to restart it, N times at most (default 3)',
      parseRestartPolicy,
    )
    .option('--label <key=value>', 'a label to find the VM by (team=a); repeat for more', collectLabel, [])
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
          ttl?: number;
          idleTimeout?: number;
          onExpiry?: string;
          restart?: ReturnType<typeof parseRestartPolicy>;
          label: string[];
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
            ...(opts.label.length ? { labels: labelsFromArgs(opts.label) } : {}),
            ...(opts.ttl !== undefined ? { ttl_seconds: opts.ttl } : {}),
            ...(opts.idleTimeout !== undefined ? { idle_timeout_seconds: opts.idleTimeout } : {}),
            // The server checks it and says what to use.
            ...(opts.onExpiry ? { on_expiry: opts.onExpiry as Vm['on_expiry'] } : {}),
            ...opts.restart,
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
    .option('--label <key=value>', 'only VMs with this label; repeat: with every one', collectLabel, [])
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; status?: string; label: string[]; json?: boolean }) => {
      const vms = await clientFromEnv().listVms({
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.label.length ? { labels: opts.label } : {}),
        ...(opts.all ? { includeDeleted: true } : {}),
      });
      if (opts.json) return printJson(vms);
      printTable(
        ['NAME', 'ID', 'STATUS', 'DRIVER', 'VCPUS', 'MEMORY', 'AGE', 'EXPIRES'],
        vms.map((v) => [
          v.name,
          v.id,
          v.status,
          v.driver,
          v.vcpus,
          `${v.memory_mib}M`,
          age(v.created_at),
          expiresColumn(v),
        ]),
      );
    });

  vm.command('get <vm>')
    .description('show one VM (by id or name)')
    .option('--json', 'print JSON')
    .action(async (idOrName: string, opts: { json?: boolean }) => {
      const client = clientFromEnv();
      const res = await client.getVm(idOrName);
      if (opts.json) return printJson(res);
      printVm(res);
      await printUsageOf(client, res);
    });

  registerVmUsageCommand(vm);
  registerVmUrlCommands(vm);

  // The power verbs: each queues a task on the VM's worker, waiting for it unless --no-wait.
  for (const [verb, method, doing, description] of [
    ['stop', 'stopVm', 'stopping', 'stop a running VM, keeping its files (start boots it again)'],
    ['start', 'startVm', 'starting', 'start a stopped VM again, its files as they were'],
    [
      'pause',
      'pauseVm',
      'pausing',
      'freeze a running VM where it stands, keeping its memory (resume lets it run on)',
    ],
    ['resume', 'resumeVm', 'resuming', 'let a paused VM run on from where it stood'],
  ] as const) {
    const command = vm
      .command(`${verb} <vm>`)
      .description(description)
      .option('--no-wait', 'return as soon as the task is queued')
      .option('--json', 'print JSON');
    if (verb === 'pause') {
      command.option(
        '--hibernate',
        "save the VM's memory to disk and end its VMM, so it holds no RAM while paused (qemu, firecracker)",
      );
    }
    command.action(async (idOrName: string, opts: { wait: boolean; json?: boolean; hibernate?: boolean }) => {
      const res = await clientFromEnv()[method](idOrName, {
        wait: opts.wait,
        ...(opts.hibernate ? { hibernate: true } : {}),
      });
      if (opts.json) return printJson(res);
      process.stdout.write(
        `${res.vm.name} ${opts.wait ? res.vm.status : `${doing} (task ${res.task_id})`}\n`,
      );
    });
  }

  vm.command('extend <vm> <duration>')
    .description("move a VM's lifetime deadline later (1h, 30m, 1d)")
    .option('--json', 'print JSON')
    .action(async (idOrName: string, duration: string, opts: { json?: boolean }) => {
      const res = await clientFromEnv().extendVm(idOrName, parseDurationSeconds(duration, 'duration'));
      if (opts.json) return printJson(res);
      process.stdout.write(`${res.name}: ${expiryLine(res) ?? 'no lifetime'}\n`);
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
