/**
 * `npm run bench`: each figure next to its baseline measured in the same run, as a ratio.
 * Embedded mode is measured with both embedded queues (in-process, and BullMQ on the embedded
 * database). Sizes can be cut for a quick look: BENCH_QUICK=1 npm run bench.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchEmbedded, type EmbeddedFigures, summarise } from './embedded.js';
import { fmt, percentile, ratio } from './stats.js';

const quick = process.env.BENCH_QUICK === '1';
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const sizes = quick
  ? { lifecycleVms: 10, execCalls: 100, throughputCalls: 200, clients: 16 }
  : { lifecycleVms: 50, execCalls: 500, throughputCalls: 1000, clients: 16 };

const modes = [
  { name: 'embedded, in-process queue (default)', env: { AETHER_EMBEDDED_QUEUE: 'local' } },
  { name: 'embedded, BullMQ on PGlite', env: { AETHER_EMBEDDED_QUEUE: 'bullmq' } },
];

function table(figures: EmbeddedFigures): string[][] {
  const rows: string[][] = [['figure', 'aetherium', 'bare namespace', 'ratio']];
  for (const [name, [ours, base]] of Object.entries(summarise(figures))) {
    rows.push([name, fmt(ours), fmt(base), ratio(ours, base)]);
  }
  const ours50 = percentile(figures.execRoundTrip.ours, 50);
  const plain50 = percentile(figures.execRoundTrip.bareSpawn, 50);
  rows.push([
    'exec round trip p50 vs plain spawn (no namespace)',
    fmt(ours50),
    fmt(plain50),
    ratio(ours50, plain50),
  ]);
  const t = figures.throughput;
  rows.push([
    `executions/s, ${t.clients} clients`,
    `${t.ours.toFixed(0)}/s`,
    `${t.bareNamespace.toFixed(0)}/s`,
    `${(t.ours / t.bareNamespace).toFixed(2)}× of bare`,
  ]);
  return rows;
}

const results: Record<string, unknown> = {};
for (const mode of modes) {
  log(`— ${mode.name}`);
  const figures = await benchEmbedded(sizes, mode.env, log);
  const rows = table(figures);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  process.stdout.write(`\n${mode.name}: REST → service → queue → worker → process driver → agent\n`);
  for (const row of rows) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
  results[mode.name] = { ...summarise(figures), throughput: figures.throughput };
}
process.stdout.write(
  `\nsamples per mode: ${sizes.lifecycleVms} VMs, ${sizes.execCalls} exec calls, ${sizes.throughputCalls} throughput calls; baselines spawn from a separate small process\n`,
);

const outDir = path.join(process.cwd(), 'bench', 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  path.join(outDir, 'latest.json'),
  JSON.stringify({ at: new Date().toISOString(), sizes, results }, null, 2),
);
