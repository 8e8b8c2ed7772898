/**
 * `npm run bench`: each figure next to its baseline measured in the same run, as a ratio.
 * Sizes can be cut for a quick look: BENCH_QUICK=1 npm run bench.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchEmbedded, summarise } from './embedded.js';
import { fmt, percentile, ratio } from './stats.js';

const quick = process.env.BENCH_QUICK === '1';
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

const embedded = await benchEmbedded(
  quick
    ? { lifecycleVms: 10, execCalls: 100, throughputCalls: 200, clients: 16 }
    : { lifecycleVms: 50, execCalls: 500, throughputCalls: 1000, clients: 16 },
  log,
);

const rows: string[][] = [['figure', 'aetherium', 'bare namespace', 'ratio']];
for (const [name, [ours, base]] of Object.entries(summarise(embedded))) {
  rows.push([name, fmt(ours), fmt(base), ratio(ours, base)]);
}
rows.push([
  'exec round trip p50 vs bare spawn (no namespace)',
  fmt(percentile(embedded.execRoundTrip.ours, 50)),
  fmt(percentile(embedded.execRoundTrip.bareSpawn, 50)),
  ratio(percentile(embedded.execRoundTrip.ours, 50), percentile(embedded.execRoundTrip.bareSpawn, 50)),
]);
const t = embedded.throughput;
rows.push([
  `executions/s, ${t.clients} clients`,
  `${t.ours.toFixed(0)}/s`,
  `${t.bareNamespace.toFixed(0)}/s`,
  `${(t.ours / t.bareNamespace).toFixed(2)}× of bare`,
]);

const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
process.stdout.write(
  '\nEmbedded mode (aether up: REST → service → BullMQ on PGlite → worker → process driver → agent)\n',
);
for (const row of rows) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
process.stdout.write(
  `\nsamples: ${embedded.lifecycle.samples} VMs, ${embedded.execRoundTrip.samples} exec calls, ${t.total} throughput calls\n`,
);

const outDir = path.join(process.cwd(), 'bench', 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  path.join(outDir, 'latest.json'),
  JSON.stringify({ at: new Date().toISOString(), embedded: summarise(embedded), throughput: t }, null, 2),
);
