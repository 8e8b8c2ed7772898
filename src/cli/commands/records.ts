import { readFile } from 'node:fs/promises';
import type { Execution } from '@aetherium/sdk';
import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { age, printFields, printJson, printTable } from '../format.js';

/** How the command ended, where an exit code goes: the code, or the signal that ended it. */
function exitText(e: Execution): string | number | null {
  return e.exit_code === null && e.signal !== null ? `killed by ${e.signal}` : e.exit_code;
}

function printExecution(e: Execution): void {
  printFields([
    ['id', e.id],
    ['vm', e.vm_id],
    ['task', e.task_id],
    ['command', [e.command, ...e.args].join(' ')],
    ['exit code', exitText(e)],
    ['timed out', e.timed_out],
    ['error', e.error ? `${e.error.code}: ${e.error.message}` : null],
    ['duration', e.duration_ms === null ? null : `${e.duration_ms} ms`],
    ['started', e.started_at],
  ]);
  if (e.stdout) process.stdout.write(`--- stdout${e.stdout_truncated ? ' (truncated)' : ''}\n${e.stdout}\n`);
  if (e.stderr) process.stdout.write(`--- stderr${e.stderr_truncated ? ' (truncated)' : ''}\n${e.stderr}\n`);
}

export function registerRecordCommands(program: Command): void {
  program
    .command('executions <vm>')
    .description('list the executions of a VM, newest first')
    .option('--limit <n>', 'at most this many', Number)
    .option('--json', 'print JSON')
    .action(async (vm: string, opts: { limit?: number; json?: boolean }) => {
      const executions = await clientFromEnv().listExecutions(vm, opts.limit);
      if (opts.json) return printJson(executions);
      printTable(
        ['ID', 'COMMAND', 'EXIT', 'DURATION', 'AGE'],
        executions.map((e) => [
          e.id,
          [e.command, ...e.args].join(' ').slice(0, 48),
          e.timed_out ? 'timeout' : e.error ? e.error.code : exitText(e),
          e.duration_ms === null ? null : `${e.duration_ms}ms`,
          age(e.created_at),
        ]),
      );
    });

  program
    .command('execution <id>')
    .description('show one execution with its output')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const execution = await clientFromEnv().getExecution(id);
      if (opts.json) return printJson(execution);
      printExecution(execution);
    });

  const task = program.command('task').description('inspect tasks');
  task
    .command('get <id>')
    .description('show one task')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const t = await clientFromEnv().getTask(id);
      if (opts.json) return printJson(t);
      printFields([
        ['id', t.id],
        ['type', t.type],
        ['status', t.status],
        ['reason', t.status_reason],
        ['priority', t.priority],
        ['vm', t.vm_id],
        ['worker', t.worker_id],
        ['retries', `${t.retry_count}/${t.max_retries}`],
        [
          'progress',
          t.progress
            ? `${t.progress.phase} ${t.progress.current}/${t.progress.total}: ${t.progress.message}`
            : null,
        ],
        ['error', t.error ? `${t.error.code}: ${t.error.message}` : null],
        ['result', t.result],
        ['created', t.created_at],
        ['completed', t.completed_at],
      ]);
    });

  const job = program.command('job').description('run and inspect jobs (named command lists)');
  job
    .command('run <vm> <file>')
    .description(
      'run a job described by a JSON file: {"name": "...", "steps": [{"command": "...", "args": []}]}',
    )
    .option('--json', 'print JSON')
    .action(async (vm: string, file: string, opts: { json?: boolean }) => {
      const spec = JSON.parse(await readFile(file, 'utf8')) as Parameters<
        ReturnType<typeof clientFromEnv>['runJob']
      >[1];
      const res = await clientFromEnv().runJob(vm, spec, { wait: true });
      if (opts.json) return printJson(res);
      process.stdout.write(`job ${res.job.id} ${res.job.status}\n`);
      if (res.job.status !== 'completed') process.exitCode = 1;
    });
  job
    .command('get <id>')
    .description('show a job and its step results')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const j = await clientFromEnv().getJob(id);
      if (opts.json) return printJson(j);
      printFields([
        ['id', j.id],
        ['name', j.name],
        ['status', j.status],
        ['vm', j.vm_id],
      ]);
      printTable(
        ['STEP', 'COMMAND', 'EXIT', 'EXECUTION'],
        j.steps.map((s, i) => [
          i + 1,
          [s.command, ...s.args].join(' '),
          j.results[i]?.exit_code,
          j.results[i]?.execution_id,
        ]),
      );
    });

  program
    .command('health')
    .description('show whether the gateway is ready to serve, component by component (GET /ready)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ready = await clientFromEnv().ready();
      if (opts.json) return printJson(ready);
      process.stdout.write(`${ready.status} (version ${ready.version})\n`);
      printTable(
        ['COMPONENT', 'OK', 'MESSAGE'],
        Object.entries(ready.components).map(([name, c]) => [name, c.ok ? 'yes' : 'NO', c.message]),
      );
      if (ready.status !== 'ok') process.exitCode = 1;
    });
}
