/**
 * `npm run bench`: each figure next to its baseline measured in the same run, as a ratio, and at
 * the end one table of the issue's targets (bench/targets.ts), each `met` or `NOT met`.
 * Embedded mode is measured with both embedded queues (in-process, and BullMQ on the embedded
 * database) on an `aether up` in a process of its own, then the idle resident memory of
 * `aether up` next to a bare PGlite (`memory`, part of `embedded` too), then distributed mode
 * (gateway + 2 workers on PostgreSQL and Redis) when those servers answer, then the docker
 * driver against the bare docker CLI when an engine answers, then the qemu driver against bare
 * QEMU when QEMU and a microVM image are there (AETHER_IMAGE_DIR, or the default data dir). Sizes
 * can be cut for a quick look: BENCH_QUICK=1 npm run bench; one section alone:
 * BENCH_ONLY=embedded|memory|distributed|docker|qemu|files|stream|gateway|cli|terminal|ports|sdk.
 * `files` is upload and download MB/s through the API next to `cp` into the VM's directory
 * (process driver) and `docker cp` (docker driver). `stream` is the latency
 * of live output, guest to WebSocket client, next to the NDJSON stream and the in-process event
 * bus; `cli` is the start-up of the `aether` binary next to a bare `node -e 0`. `terminal` is the
 * keystroke echo of `aether shell` (docker driver) next to `docker exec -it` into the same
 * container; `ports` is HTTP GET requests/s through `aether port-forward` (and a preview URL)
 * next to the same app reached directly on the host, and through a bare relay chain of as many
 * hops (the ceiling of any such tunnel here). `sdk` is the TypeScript SDK's foreground command
 * and its create+delete next to the REST API's one waited call for each.
 * BENCH_PROFILE_DIR=<dir> writes a CPU profile of each distributed-section process there, and of
 * `aether up` and the port-forward process of the `ports` section.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { POSTGRES_URL, postgresAvailable, REDIS_URL, redisAvailable } from '../test/support/backends.js';
import { benchCliStartup, cliStartupRows, cliTargetLine } from './cli-startup.js';
import { benchDistributed, distributedRows, summariseDistributed, targetLines } from './distributed.js';
import { benchDocker, dockerRows, dockerUnavailable } from './docker.js';
import { benchEmbedded, type EmbeddedFigures, summarise } from './embedded.js';
import { SAMPLING_INTERVAL_MS } from './event-loop-lag.js';
import { benchTransfers, transferRows } from './files.js';
import { benchGatewayThroughput, gatewayRows } from './gateway-throughput.js';
import { benchMemory, type MemoryFigures } from './memory.js';
import { mib } from './proc-memory.js';
import { benchQemu, qemuRows, qemuUnavailable } from './qemu.js';
import { benchSdk, sdkRows } from './sdk.js';
import { fmt, percentile, ratio } from './stats.js';
import { benchStreamLatency, streamRows } from './stream-latency.js';
import {
  distributedTargets,
  embeddedTargets,
  memoryTargets,
  type TargetRow,
  targetTable,
  transferTargets,
  tunnelTargets,
} from './targets.js';
import { benchTerminalEcho, terminalEchoRows } from './terminal-echo.js';
import { benchTunnelHttp, tunnelCeilingLine, tunnelRows } from './tunnel-http.js';

const quick = process.env.BENCH_QUICK === '1';
const only = process.env.BENCH_ONLY;
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const sizes = quick
  ? {
      lifecycleVms: 10,
      execCalls: 100,
      throughputCalls: 200,
      clients: 16,
      distributedLifecycleVms: 5,
      dockerVms: 5,
      dockerExecs: 50,
      dockerBurst: 50,
      qemuBoots: 2,
      qemuExecs: 50,
    }
  : {
      lifecycleVms: 50,
      execCalls: 500,
      throughputCalls: 1000,
      clients: 16,
      distributedLifecycleVms: 20,
      dockerVms: 20,
      dockerExecs: 200,
      dockerBurst: 50,
      qemuBoots: 5,
      qemuExecs: 200,
    };
/** How long `aether up` (one VM created) and the bare PGlite idle before their memory is read. */
const MEMORY_SETTLE_MS = 5000;

const modes = [
  { name: 'embedded, in-process queue (default)', queue: 'local', env: { AETHER_EMBEDDED_QUEUE: 'local' } },
  { name: 'embedded, BullMQ on PGlite', queue: 'bullmq', env: { AETHER_EMBEDDED_QUEUE: 'bullmq' } },
] as const;

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
  const lag = t.eventLoopLag;
  rows.push([
    'event-loop delay of the node during throughput, p99 (max)',
    lag ? `${fmt(lag.p99Ms)} (${fmt(lag.maxMs)})` : 'not exported',
    `idle ≈ ${fmt(SAMPLING_INTERVAL_MS)}`,
    '-',
  ]);
  return rows;
}

function print(title: string, rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  process.stdout.write(`\n${title}\n`);
  for (const row of rows) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
}

const results: Record<string, unknown> = {};
const targets: TargetRow[] = [];
const notRun: string[] = [];
if (only === undefined || only === 'embedded') {
  const embedded: Partial<Record<'local' | 'bullmq', EmbeddedFigures>> = {};
  try {
    for (const mode of modes) {
      log(`— ${mode.name}`);
      const figures = await benchEmbedded(sizes, mode.env, log);
      embedded[mode.queue] = figures;
      print(
        `${mode.name}: REST → \`aether up\` process (service → queue → worker → process driver) → agent`,
        table(figures),
      );
      for (const line of figures.warnings) process.stdout.write(`warning: ${line}\n`);
      results[mode.name] = {
        ...summarise(figures),
        throughput: figures.throughput,
        warnings: figures.warnings,
      };
    }
    process.stdout.write(
      `\nsamples per mode: ${sizes.lifecycleVms} VMs, ${sizes.execCalls} exec calls, ${sizes.throughputCalls} throughput calls; \`aether up\` (built from this checkout, default settings) in its own process, the clients in this one; baselines spawn from a separate small process; event-loop delay from the node's /metrics (prom-client, sampled every ${SAMPLING_INTERVAL_MS} ms)\n`,
    );
  } catch (error) {
    process.stdout.write(`\nembedded\nfailed: ${(error as Error).stack ?? String(error)}\n`);
    results.embedded = { failed: String(error) };
    process.exitCode = 1;
  }
  if (embedded.local) targets.push(...embeddedTargets(embedded.local, embedded.bullmq ?? null));
  else notRun.push('embedded: failed');
}

if (only === undefined || only === 'embedded' || only === 'memory') {
  const title = '`aether up` resident memory, idle with one VM, next to a bare PGlite opened the same way';
  log('— memory');
  try {
    const m: MemoryFigures = await benchMemory({ settleMs: MEMORY_SETTLE_MS }, log);
    print(title, [
      ['process', 'VmRSS'],
      ['aether up (default settings, one idle VM)', mib(m.aetherUpKiB)],
      [`bare PGlite (openPglite, nothing else): ${m.barePgliteState}`, mib(m.barePgliteKiB)],
    ]);
    for (const line of m.warnings) process.stdout.write(`warning: ${line}\n`);
    process.stdout.write(
      `each read ${m.settleMs} ms after it was ready (median of 5 readings); VmRSS of the process alone, its sandboxes not counted\n`,
    );
    results.memory = m;
    targets.push(...memoryTargets(m));
  } catch (error) {
    process.stdout.write(`\n${title}\nfailed: ${(error as Error).stack ?? String(error)}\n`);
    results.memory = { failed: String(error) };
    notRun.push('memory: failed');
    process.exitCode = 1;
  }
}

if (only === undefined || only === 'distributed') {
  const title =
    'distributed, 1 gateway + 2 workers: REST → gateway → Redis → worker → process driver → agent → PostgreSQL';
  log('— distributed');
  try {
    const outcome = await benchDistributed({ ...sizes, lifecycleVms: sizes.distributedLifecycleVms }, log);
    if ('skipped' in outcome) {
      process.stdout.write(`\n${title}\nskipped: ${outcome.skipped}\n`);
      results.distributed = { skipped: outcome.skipped };
      notRun.push(`distributed: skipped (${outcome.skipped})`);
    } else {
      const f = outcome.figures;
      print(title, distributedRows(f));
      for (const line of targetLines(f)) process.stdout.write(`${line}\n`);
      for (const line of outcome.warnings) process.stdout.write(`warning: ${line}\n`);
      process.stdout.write(
        `samples: ${sizes.execCalls} exec calls, ${sizes.throughputCalls} throughput calls over VMs per worker ${JSON.stringify(f.spread)}, ${sizes.distributedLifecycleVms} create → first exec; bare BullMQ in this process on the same Redis; ${f.services}\n`,
      );
      results.distributed = {
        ...summariseDistributed(f),
        throughput: f.throughput,
        spread: f.spread,
        driverExecP50: percentile(f.execRoundTrip.driverExec, 50),
        target: targetLines(f),
      };
      targets.push(...distributedTargets(f));
    }
  } catch (error) {
    // The other sections' figures are still written; the run fails.
    process.stdout.write(`\n${title}\nfailed: ${(error as Error).stack ?? String(error)}\n`);
    results.distributed = { failed: String(error) };
    notRun.push('distributed: failed');
    process.exitCode = 1;
  }
}

if (only === undefined || only === 'docker') {
  const image = process.env.AETHER_DOCKER_IMAGE ?? 'aetherium/guest:latest';
  const title = `docker driver, embedded node: REST → service → queue → worker → Docker Engine API → container → agent`;
  log('— docker');
  const unavailable = await dockerUnavailable(image);
  if (unavailable) {
    process.stdout.write(`\n${title}\nskipped: ${unavailable}\n`);
    results.docker = { skipped: unavailable };
  } else {
    try {
      const f = await benchDocker(
        { lifecycleVms: sizes.dockerVms, execCalls: sizes.dockerExecs, burst: sizes.dockerBurst },
        image,
        log,
      );
      print(title, dockerRows(f));
      for (const failure of f.burst.failures.slice(0, 5)) process.stdout.write(`burst failure: ${failure}\n`);
      process.stdout.write(
        `samples: ${f.createToFirstExec.ours.length} create → first exec, ${f.execRoundTrip.ours.length} exec calls (each next to one bare CLI call); image ${f.image}; Docker ${f.engine}; the bare figures include the docker CLI's own start-up, as a user typing them gets\n`,
      );
      results.docker = { rows: dockerRows(f), burst: f.burst };
    } catch (error) {
      process.stdout.write(`\n${title}\nfailed: ${(error as Error).stack ?? String(error)}\n`);
      results.docker = { failed: String(error) };
      process.exitCode = 1;
    }
  }
}

if (only === undefined || only === 'qemu') {
  const imageDir = process.env.AETHER_IMAGE_DIR ?? path.resolve(process.env.AETHER_DATA_DIR ?? '.aether');
  const title = 'qemu driver: create → QEMU microvm → kernel → init → agent over virtio-serial';
  log('— qemu');
  const unavailable = await qemuUnavailable(imageDir);
  if (unavailable) {
    process.stdout.write(`\n${title}\nskipped: ${unavailable}\n`);
    results.qemu = { skipped: unavailable };
  } else {
    try {
      const f = await benchQemu({ boots: sizes.qemuBoots, execCalls: sizes.qemuExecs }, imageDir, log);
      print(`${title} (accelerator: ${f.accel})`, qemuRows(f));
      process.stdout.write(
        `samples: ${f.boots.total.length} boots each way, ${f.exec.ours.length} execs and pings; image ${f.image}; accelerator ${f.accel}${f.accelReason ? ` (KVM unusable: ${f.accelReason})` : ''}\n`,
      );
      results.qemu = { rows: qemuRows(f), accel: f.accel, accelReason: f.accelReason };
    } catch (error) {
      process.stdout.write(`\n${title}\nfailed: ${(error as Error).stack ?? String(error)}\n`);
      results.qemu = { failed: String(error) };
      process.exitCode = 1;
    }
  }
}

if (only === undefined || only === 'files') {
  const transfers: ['process' | 'docker', Record<string, string>, string | null][] = [['process', {}, null]];
  const image = process.env.AETHER_DOCKER_IMAGE ?? 'aetherium/guest:latest';
  const dockerMissing = await dockerUnavailable(image);
  transfers.push([
    'docker',
    { AETHER_DRIVER: 'docker', AETHER_DRIVERS: 'docker', AETHER_DOCKER_IMAGE: image },
    dockerMissing,
  ]);
  const files: Record<string, unknown> = {};
  for (const [driver, env, missing] of transfers) {
    const title = `file transfers, ${driver} driver: REST → gateway → data plane → agent → file, both ways`;
    log(`— files (${driver})`);
    if (missing) {
      process.stdout.write(`\n${title}\nskipped: ${missing}\n`);
      files[driver] = { skipped: missing };
      notRun.push(`files (${driver}): skipped (${missing})`);
      continue;
    }
    try {
      const f = await benchTransfers(driver, { sizeMiB: quick ? 64 : 256, rounds: quick ? 3 : 5 }, env, log);
      print(title, transferRows(f));
      process.stdout.write(
        `samples: ${f.upload.ours.length} rounds of ${f.sizeMiB} MiB each way, ours and ${f.baseline} in turns after one warm-up; the download checked byte for byte once\n`,
      );
      files[driver] = { rows: transferRows(f), figures: f };
      targets.push(...transferTargets(f));
    } catch (error) {
      process.stdout.write(`\n${title}\nfailed: ${(error as Error).stack ?? String(error)}\n`);
      files[driver] = { failed: String(error) };
      notRun.push(`files (${driver}): failed`);
      process.exitCode = 1;
    }
  }
  results.files = files;
}

if (only === undefined || only === 'stream') {
  const title = 'live output, embedded node: guest → agent → worker → event bus → gateway → client';
  log('— stream');
  try {
    const f = await benchStreamLatency({ lines: quick ? 100 : 400, intervalMs: 20 }, log);
    print(title, streamRows(f));
    process.stdout.write(
      `samples: ${f.websocket.length} lines over WebSocket, ${f.ndjson.length} over NDJSON, ${f.eventBus.length} on the bus, one every ${f.intervalMs} ms; timestamps from the guest's clock (the host's)\n`,
    );
    results.stream = { rows: streamRows(f) };
  } catch (error) {
    process.stdout.write(`\n${title}\nfailed: ${(error as Error).stack ?? String(error)}\n`);
    results.stream = { failed: String(error) };
    process.exitCode = 1;
  }
}

if (only === undefined || only === 'sdk') {
  const title = "TypeScript SDK, embedded node: its calls next to the REST API's shortest way";
  log('— sdk');
  try {
    const f = await benchSdk({ execs: quick ? 50 : 200, lifecycles: quick ? 5 : 20 }, log);
    print(title, sdkRows(f));
    process.stdout.write(
      `samples: ${f.run.length} commands and ${f.create.length} lifecycles each way, in turns\n`,
    );
    results.sdk = { rows: sdkRows(f) };
  } catch (error) {
    process.stdout.write(`\n${title}\nfailed: ${(error as Error).stack ?? String(error)}\n`);
    results.sdk = { failed: String(error) };
    process.exitCode = 1;
  }
}

if (only === undefined || only === 'gateway') {
  const title =
    'gateway throughput, embedded node: authenticated list vs bare Fastify (target: ≥ 50% of bare)';
  log('— gateway');
  try {
    const backends: [string, Record<string, string>][] = [['embedded store (PGlite)', {}]];
    if ((await postgresAvailable()) && (await redisAvailable())) {
      backends.push(['PostgreSQL and Redis', { DATABASE_URL: POSTGRES_URL, REDIS_URL }]);
    }
    const gateway: Record<string, unknown> = {};
    for (const [name, env] of backends) {
      const f = await benchGatewayThroughput({ seconds: quick ? 3 : 10, connections: 16, vms: 20 }, log, env);
      print(`${title}, ${name}`, gatewayRows(f));
      const share = f.ours.requestsPerSecond / f.bareList.requestsPerSecond;
      process.stdout.write(
        `${f.vms} VMs listed per request, ${f.connections} connections, ${f.seconds} s each, autocannon in its own process; target ≥ 50% of the bare list: ${share >= 0.5 ? 'met' : 'NOT met'} (${(share * 100).toFixed(0)}%)\n`,
      );
      gateway[name] = { rows: gatewayRows(f), shareOfBare: share };
    }
    results.gateway = gateway;
  } catch (error) {
    process.stdout.write(`\n${title}\nfailed: ${(error as Error).stack ?? String(error)}\n`);
    results.gateway = { failed: String(error) };
    process.exitCode = 1;
  }
}

if (only === undefined || only === 'cli') {
  const title = 'CLI start-up: bin/aether.js → dist/, a fresh process per call, next to a bare node -e 0';
  log('— cli');
  try {
    const f = await benchCliStartup({ samples: quick ? 10 : 30 }, log);
    print(title, cliStartupRows(f));
    process.stdout.write(`${cliTargetLine(f)}\n`);
    process.stdout.write(
      `samples: ${f.samples} of each, taking turns; vm ls against an embedded node in this process; the CLI built from this checkout into a temporary package\n`,
    );
    results.cli = { rows: cliStartupRows(f), target: cliTargetLine(f) };
  } catch (error) {
    process.stdout.write(`\n${title}\nfailed: ${(error as Error).stack ?? String(error)}\n`);
    results.cli = { failed: String(error) };
    process.exitCode = 1;
  }
}

if (only === undefined || only === 'terminal') {
  const image = process.env.AETHER_DOCKER_IMAGE ?? 'aetherium/guest:latest';
  const title =
    'keystroke echo, docker driver: aether shell (CLI → gateway → worker → agent → pty) vs docker exec -it, same container';
  log('— terminal');
  const unavailable = await dockerUnavailable(image);
  if (unavailable) {
    process.stdout.write(`\n${title}\nskipped: ${unavailable}\n`);
    results.terminal = { skipped: unavailable };
  } else {
    try {
      const f = await benchTerminalEcho({ samples: quick ? 50 : 200, warmUp: 10 }, image, log);
      print(title, terminalEchoRows(f));
      process.stdout.write(
        `samples: ${f.ours.length} keystrokes each, one printable byte timed to its echo then erased, both shells open at once and taking turns; each client on a pty of its own (script -qfec); image ${f.image}; no target (reported side by side)\n`,
      );
      results.terminal = { rows: terminalEchoRows(f), figures: f };
    } catch (error) {
      process.stdout.write(`\n${title}\nfailed: ${(error as Error).stack ?? String(error)}\n`);
      results.terminal = { failed: String(error) };
      process.exitCode = 1;
    }
  }
}

if (only === undefined || only === 'ports') {
  const title =
    'HTTP GET through port tunnels, process driver: load → port-forward CLI → gateway → worker → agent → app in the VM, vs the same app on the host';
  log('— ports');
  try {
    const f = await benchTunnelHttp(
      {
        seconds: quick ? 3 : 5,
        rounds: 3,
        connections: 16,
        profileDir: process.env.BENCH_PROFILE_DIR,
      },
      log,
    );
    print(title, tunnelRows(f));
    process.stdout.write(`${tunnelCeilingLine(f)}\n`);
    if (!Array.isArray(f.preview)) process.stdout.write(`preview URL: skipped (${f.preview.skipped})\n`);
    process.stdout.write(
      `samples: ${f.direct.length} rounds of ${f.seconds} s on each target in turns after a 1 s warm-up each, ${f.connections} keep-alive connections (autocannon in its own process); medians over the rounds\n`,
    );
    results.ports = { rows: tunnelRows(f), ceiling: tunnelCeilingLine(f), figures: f };
    targets.push(...tunnelTargets(f));
  } catch (error) {
    process.stdout.write(`\n${title}\nfailed: ${(error as Error).stack ?? String(error)}\n`);
    results.ports = { failed: String(error) };
    notRun.push('ports: failed');
    process.exitCode = 1;
  }
}

if (targets.length > 0 || notRun.length > 0) {
  const title = 'targets (the performance issue), each against its same-run baseline';
  if (targets.length > 0) print(title, targetTable(targets));
  else process.stdout.write(`\n${title}\n`);
  for (const line of notRun) process.stdout.write(`not judged: ${line}\n`);
}

const outDir = path.join(process.cwd(), 'bench', 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  path.join(outDir, 'latest.json'),
  JSON.stringify({ at: new Date().toISOString(), sizes, results, targets }, null, 2),
);
