import type { LogLine } from '@aetherium/sdk';
import type { Command } from 'commander';
import { AetherError } from '../../core/errors.js';
import { LOG_LEVELS } from '../../core/logs.js';
import { clientFromEnv } from '../client-from-env.js';
import { printJson } from '../format.js';

interface LogsFlags {
  vm?: string;
  task?: string;
  execution?: string;
  level?: string;
  grep?: string;
  since?: string;
  limit?: string;
  follow?: boolean;
  json?: boolean;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `2h`, `1d` as milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text.trim());
  if (!match)
    throw new AetherError(
      'ERR_VALIDATION',
      `--since: use a duration such as 30s, 10m, 2h or 1d, not "${text}"`,
    );
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new AetherError('ERR_VALIDATION', `--limit: use a whole number from 1 to 1000, not "${text}"`);
  }
  return n;
}

function parseLevel(text: string | undefined): (typeof LOG_LEVELS)[number] | undefined {
  if (text === undefined) return undefined;
  const level = LOG_LEVELS.find((l) => l === text.toLowerCase());
  if (!level) throw new AetherError('ERR_VALIDATION', `--level: use one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** `2026-01-02T03:04:05.678Z INFO  worker  vm=1b2c3d4e message`, one line per log line. */
export function formatLogLine(line: LogLine): string {
  const where = [
    line.vm_id ? `vm=${line.vm_id.slice(0, 8)}` : '',
    line.execution_id ? `exec=${line.execution_id.slice(0, 8)}` : '',
    typeof line.fields.stream === 'string' ? `[${line.fields.stream}]` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `${line.time} ${line.level.toUpperCase().padEnd(5)} ${line.service.padEnd(7)} ${where ? `${where} ` : ''}${line.message}`;
}

/** `aether logs`: search the logs, or follow them with `--follow`. */
export function registerLogsCommand(program: Command): void {
  program
    .command('logs')
    .description("search the platform's logs and command output (your project's; admins see all)")
    .option('--vm <id|name>', 'lines about this VM')
    .option('--task <id>', 'lines about this task')
    .option('--execution <id>', 'lines about this execution (its output included)')
    .option('--level <level>', `at least this level (${LOG_LEVELS.join(', ')})`)
    .option('--grep <text>', 'lines containing this text (case-sensitive)')
    .option('--since <duration>', 'only lines from this long ago (30s, 10m, 2h, 1d)')
    .option('--limit <n>', 'the last n lines (default 100; with --follow, 50 before following)')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('--json', 'print JSON (one object per line with --follow)')
    .action(async (flags: LogsFlags) => {
      const client = clientFromEnv();
      const filter = {
        ...(flags.vm ? { vm_id: flags.vm } : {}),
        ...(flags.task ? { task_id: flags.task } : {}),
        ...(flags.execution ? { execution_id: flags.execution } : {}),
        ...(flags.level ? { level: parseLevel(flags.level) } : {}),
        ...(flags.grep ? { text: flags.grep } : {}),
      };
      const limit = parseLimit(flags.limit);
      if (flags.follow) {
        if (flags.since)
          throw new AetherError('ERR_VALIDATION', '--since does not apply to --follow; use --limit');
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        const tail = client.followLogs({ ...filter, backlog: limit ?? 50 }, { signal: stop.signal });
        for await (const { line } of tail) {
          process.stdout.write(`${flags.json ? JSON.stringify(line) : formatLogLine(line)}\n`);
        }
        return;
      }
      const since = flags.since ? parseDuration(flags.since) : undefined;
      const { lines } = await client.queryLogs({
        ...filter,
        ...(since !== undefined ? { start: new Date(Date.now() - since).toISOString() } : {}),
        limit: limit ?? 100,
        order: 'desc',
      });
      // The newest lines were asked for; they read best oldest first, as a tail shows them.
      lines.reverse();
      if (flags.json) return printJson(lines);
      for (const line of lines) process.stdout.write(`${formatLogLine(line)}\n`);
    });
}
