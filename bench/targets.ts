/**
 * The hot-path targets of the performance issue, each judged against the baseline measured in
 * the same run: one summary table at the end of `npm run bench` and in latest.json.
 */
import type { DistributedFigures } from './distributed.js';
import type { EmbeddedFigures } from './embedded.js';
import { type TransferFigures, transferMedians } from './files.js';
import type { MemoryFigures } from './memory.js';
import { mib } from './proc-memory.js';
import { fmt, percentile } from './stats.js';
import { medianLoad, type TunnelFigures } from './tunnel-http.js';

export const TARGETS = Object.freeze({
  /** Embedded exec round trip p50 ≤ this × a bare namespace spawn p50. */
  embeddedExecRoundTrip: 2.5,
  /** Embedded create → first exec p50 ≤ this × a bare namespace spawn p50. */
  embeddedCreateToFirstExec: 25,
  /** Embedded executions/s ≥ this × bare namespaced spawns/s at the same concurrency. */
  embeddedThroughput: 0.5,
  /** Distributed exec round trip p50 ≤ this × a bare BullMQ round trip + the driver's own exec. */
  distributedExecRoundTrip: 2,
  /** Distributed executions/s ≥ this × bare BullMQ jobs/s. */
  distributedThroughput: 0.25,
  /**
   * BullMQ on PGlite keeps its ratio to the in-process queue: the ratios measured before the
   * hot-path work (docs/performance.md: 23.4 / 19.2 ms round trip, 50 / 87 executions/s).
   */
  bullmqRoundTripOfInProcess: 1.22,
  bullmqThroughputOfInProcess: 0.57,
  /** `aether up` idle RSS ≤ this many MiB … */
  idleResidentMiB: 400,
  /** … or ≤ this × a bare PGlite opened with the same settings. */
  idleResidentOfBarePglite: 1.2,
  /** Upload and download MB/s ≥ this × the plain copy (`cp` into the VM dir, `docker cp`). */
  transferOfPlainCopy: 0.5,
  /** HTTP GET requests/s through `aether port-forward` ≥ this × the same app reached directly. */
  portForwardOfDirect: 0.3,
});

export type Verdict = 'met' | 'NOT met';

export interface TargetRow {
  figure: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
  verdict: Verdict;
}

const judged = (ok: boolean): Verdict => (ok ? 'met' : 'NOT met');
const times = (n: number) => `${n.toFixed(2)}×`;
const perSecond = (n: number) => `${n.toFixed(0)}/s`;

/** A figure whose target is a bound on its ratio to the baseline. */
function ratioRow(
  figure: string,
  [ours, base]: [number, number],
  show: (n: number) => string,
  bound: { atMost: number } | { atLeast: number },
): TargetRow {
  const r = ours / base;
  const [target, ok] =
    'atMost' in bound
      ? [`≤ ${bound.atMost}×`, r <= bound.atMost]
      : [`≥ ${bound.atLeast}×`, r >= bound.atLeast];
  return { figure, ours: show(ours), baseline: show(base), ratio: times(r), target, verdict: judged(ok) };
}

/** The embedded targets, on the default (in-process) queue; BullMQ on PGlite as its ratio to it. */
export function embeddedTargets(inProcess: EmbeddedFigures, bullmq: EmbeddedFigures | null): TargetRow[] {
  const p50 = (samples: number[]) => percentile(samples, 50);
  const rows = [
    ratioRow(
      'embedded exec round trip p50 (vs bare namespace spawn p50)',
      [p50(inProcess.execRoundTrip.ours), p50(inProcess.execRoundTrip.bareNamespace)],
      fmt,
      { atMost: TARGETS.embeddedExecRoundTrip },
    ),
    ratioRow(
      'embedded create → first exec p50 (vs bare namespace spawn p50)',
      [p50(inProcess.lifecycle.createToFirstExec), p50(inProcess.lifecycle.baseline)],
      fmt,
      { atMost: TARGETS.embeddedCreateToFirstExec },
    ),
    ratioRow(
      `embedded executions/s, ${inProcess.throughput.clients} clients (vs bare namespaced spawns/s)`,
      [inProcess.throughput.ours, inProcess.throughput.bareNamespace],
      perSecond,
      { atLeast: TARGETS.embeddedThroughput },
    ),
  ];
  if (bullmq) {
    rows.push(
      ratioRow(
        'embedded BullMQ on PGlite exec round trip p50 (vs in-process queue; keeps its ratio)',
        [p50(bullmq.execRoundTrip.ours), p50(inProcess.execRoundTrip.ours)],
        fmt,
        { atMost: TARGETS.bullmqRoundTripOfInProcess },
      ),
      ratioRow(
        'embedded BullMQ on PGlite executions/s (vs in-process queue; keeps its ratio)',
        [bullmq.throughput.ours, inProcess.throughput.ours],
        perSecond,
        { atLeast: TARGETS.bullmqThroughputOfInProcess },
      ),
    );
  }
  return rows;
}

export function distributedTargets(f: DistributedFigures): TargetRow[] {
  const r = f.execRoundTrip;
  const ours = percentile(r.ours, 50);
  const bare = percentile(r.bareBullmq, 50);
  const driver = percentile(r.driverExec, 50);
  const limit = TARGETS.distributedExecRoundTrip * bare + driver;
  return [
    {
      figure: 'distributed exec round trip p50 (vs bare BullMQ round trip + driver exec)',
      ours: fmt(ours),
      baseline: `${fmt(bare)} + ${fmt(driver)}`,
      ratio: times(ours / (bare + driver)),
      target: `≤ ${TARGETS.distributedExecRoundTrip} × bare + driver = ${fmt(limit)}`,
      verdict: judged(ours <= limit),
    },
    ratioRow(
      `distributed executions/s, ${f.throughput.workers} workers (vs bare BullMQ jobs/s)`,
      [f.throughput.ours, f.throughput.bareBullmq],
      perSecond,
      { atLeast: TARGETS.distributedThroughput },
    ),
  ];
}

export function memoryTargets(m: MemoryFigures): TargetRow[] {
  const share = m.aetherUpKiB / m.barePgliteKiB;
  const ok = m.aetherUpKiB / 1024 <= TARGETS.idleResidentMiB || share <= TARGETS.idleResidentOfBarePglite;
  return [
    {
      figure: '`aether up` resident memory, idle, one VM (vs bare PGlite, same settings)',
      ours: mib(m.aetherUpKiB),
      baseline: mib(m.barePgliteKiB),
      ratio: times(share),
      target: `≤ ${TARGETS.idleResidentMiB} MiB or ≤ ${TARGETS.idleResidentOfBarePglite}×`,
      verdict: judged(ok),
    },
  ];
}

/** The rows as a printable table, header first. */
export function targetTable(rows: TargetRow[]): string[][] {
  return [
    ['figure', 'aetherium', 'same-run baseline', 'ratio', 'target', 'verdict'],
    ...rows.map((r) => [r.figure, r.ours, r.baseline, r.ratio, r.target, r.verdict]),
  ];
}

/** File transfers through the API against the plain copy of the same bytes, each direction. */
export function transferTargets(f: TransferFigures): TargetRow[] {
  const m = transferMedians(f);
  const rate = (n: number) => `${n.toFixed(0)} MB/s`;
  return (['upload', 'download'] as const).map((direction) =>
    ratioRow(`${direction} MB/s, ${f.driver} driver (vs ${f.baseline})`, m[direction], rate, {
      atLeast: TARGETS.transferOfPlainCopy,
    }),
  );
}

/** HTTP GET through `aether port-forward` against the same app on this host, reached directly. */
export function tunnelTargets(f: TunnelFigures): TargetRow[] {
  return [
    ratioRow(
      'HTTP GET requests/s through port-forward (vs direct)',
      [medianLoad(f.portForward).requestsPerSecond, medianLoad(f.direct).requestsPerSecond],
      perSecond,
      { atLeast: TARGETS.portForwardOfDirect },
    ),
  ];
}
