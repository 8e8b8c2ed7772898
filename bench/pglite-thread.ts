/**
 * PGlite in process against PGlite on its own thread (`openPgliteThread`), in one run:
 * store-like statements (insert with jsonb, read by id, compare-and-set update returning the
 * row, over the inlined-literal client the store uses) from 16 concurrent callers, each on a
 * data dir of its own. Two loads: the statements alone, and the statements with some JavaScript
 * work on the main thread per operation (what HTTP, validation and the worker do between
 * statements in a node), which only the thread lets run beside the database.
 *
 * Reported per mode: statements/s, statement latency p50/p99, the main thread's event-loop
 * utilisation while running (1 = always busy), and the process's CPU time per statement.
 *
 *   node --import tsx bench/pglite-thread.ts        (N=3000 statements per run, ROUNDS=3)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EmbeddedDatabase } from '../src/pglite/embedded-database.js';
import { withInlinedParams } from '../src/pglite/inlined-client.js';
import { openPglite } from '../src/pglite/open-pglite.js';
import { openPgliteThread } from '../src/pglite/pglite-thread.js';
import { percentile } from './stats.js';

const STATEMENTS = Number(process.env.N ?? 3000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CALLERS = 16;
/** Main-thread JavaScript per operation (3 statements) in the second load. */
const MAIN_WORK_MS = Number(process.env.MAIN_WORK_MS ?? 1);

/** drizzle's parsers: timestamps stay text. */
const PARSERS = { 1184: (v: string) => v, 1114: (v: string) => v };

const SCHEMA = `CREATE TABLE IF NOT EXISTS tasks (
  id uuid PRIMARY KEY, status text NOT NULL, payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`;

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
  mainBusy: number;
  cpuMsPerStatement: number;
}

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Stands for request handling on the main thread.
  }
}

async function run(db: EmbeddedDatabase, mainWorkMs: number): Promise<Figures> {
  const client = withInlinedParams(db);
  const latencies: number[] = [];
  const timed = async <T>(statement: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await statement();
    latencies.push(performance.now() - started);
    return result;
  };
  const operations = Math.ceil(STATEMENTS / 3);
  let next = 0;
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < operations) {
        next++;
        const id = crypto.randomUUID();
        await timed(() =>
          client.query('INSERT INTO tasks (id, status, payload) VALUES ($1, $2, $3)', [
            id,
            'pending',
            { vmId: id, exec: { command: 'true', args: [], env: { A: '1' } } },
          ]),
        );
        if (mainWorkMs > 0) busyFor(mainWorkMs);
        await timed(() =>
          client.query('SELECT * FROM tasks WHERE id = $1', [id], { rowMode: 'array', parsers: PARSERS }),
        );
        await timed(() =>
          client.query(
            'UPDATE tasks SET status = $2, updated_at = now() WHERE id = $1 AND status = $3 RETURNING *',
            [id, 'processing', 'pending'],
            { rowMode: 'array', parsers: PARSERS },
          ),
        );
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    mainBusy: performance.eventLoopUtilization(elu).utilization,
    cpuMsPerStatement: (used.user + used.system) / 1000 / latencies.length,
  };
}

const modes: Record<string, (dir: string) => Promise<EmbeddedDatabase>> = {
  'in process': (dir) => openPglite(dir),
  'own thread': (dir) => openPgliteThread(dir),
};

const root = mkdtempSync(path.join(os.tmpdir(), 'bench-pglite-thread-'));
const results: Record<string, Figures[]> = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [mode, open] of Object.entries(modes)) {
      const db = await open(path.join(root, `${mode.replace(' ', '-')}-${round}`));
      try {
        await db.exec(SCHEMA);
        // Warm-up, not counted: the thread's isolate compiles PGlite's JavaScript afresh.
        await run(db, 0);
        for (const mainWorkMs of [0, MAIN_WORK_MS]) {
          const key = `${mode}, ${mainWorkMs} ms of main-thread work per operation`;
          const figures = await run(db, mainWorkMs);
          const runs = results[key] ?? [];
          runs.push(figures);
          results[key] = runs;
          process.stderr.write(`round ${round + 1} ${key}: ${figures.perSecond.toFixed(0)} statements/s\n`);
        }
      } finally {
        await db.close();
      }
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

const median = (values: number[]) => percentile(values, 50);
process.stdout.write(
  `\n${STATEMENTS} statements per run, ${CALLERS} callers, median of ${ROUNDS} rounds; ${os.cpus().length} CPUs\n`,
);
process.stdout.write('mode | statements/s | p50 | p99 | main thread busy | CPU ms/statement\n');
for (const [key, runs] of Object.entries(results)) {
  const pick = (f: (x: Figures) => number) => median(runs.map(f));
  process.stdout.write(
    `${key} | ${pick((x) => x.perSecond).toFixed(0)} | ${pick((x) => x.p50).toFixed(2)} ms | ${pick((x) => x.p99).toFixed(2)} ms | ${(pick((x) => x.mainBusy) * 100).toFixed(0)}% | ${pick((x) => x.cpuMsPerStatement).toFixed(3)}\n`,
  );
}
