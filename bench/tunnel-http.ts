/**
 * HTTP GET through `aether port-forward` (process driver) next to the same app on this host,
 * reached directly, in the same run (tunnel-rig.ts). Ours goes load → port-forward CLI (one
 * WebSocket per connection) → gateway → worker → guest agent → 127.0.0.1:<port> in the VM; the
 * baseline goes load → app. Beside them, the app on the host behind a bare relay chain of as many
 * Node processes as the tunnel has (bare-relay-chain.ts): what the hops alone cost here. Then,
 * when the gateway makes preview URLs, the same load through one (the gateway proxies each
 * request on a tunnel of its own to the app). The load (http-load.ts)
 * keeps the same number of keep-alive connections for each target, and the targets take turns,
 * round after round, so a busy moment of the machine weighs on each alike.
 * Target: port-forward requests/s ≥ 0.3 × direct (targets.ts).
 */
import { RELAY_HOPS } from './bare-relay-chain.js';
import { httpLoad, type Load } from './http-load.js';
import { percentile } from './stats.js';
import { startTunnelRig } from './tunnel-rig.js';

const WARM_UP_SECONDS = 1;

export interface TunnelOptions {
  seconds: number;
  rounds: number;
  connections: number;
  /** `aether up` and the port-forward process write a CPU profile here on exit. */
  profileDir?: string | undefined;
}

export interface TunnelFigures {
  seconds: number;
  connections: number;
  /** One load per round each. */
  direct: Load[];
  bareRelay: Load[];
  portForward: Load[];
  /** Through a preview URL, or why it was not measured. */
  preview: Load[] | { skipped: string };
}

type Target = 'direct' | 'bareRelay' | 'portForward' | 'preview';

export async function benchTunnelHttp(
  options: TunnelOptions,
  log: (line: string) => void,
): Promise<TunnelFigures> {
  const rig = await startTunnelRig(log, options.profileDir);
  try {
    const targets: [Target, string][] = [
      ['direct', rig.directUrl],
      ['bareRelay', rig.bareRelayUrl],
      ['portForward', rig.portForwardUrl],
    ];
    if ('url' in rig.preview) targets.push(['preview', rig.preview.url]);
    else log(`ports: ${rig.preview.skipped}`);
    const { seconds, connections, rounds } = options;
    const loads: Record<Target, Load[]> = { direct: [], bareRelay: [], portForward: [], preview: [] };
    for (const [, url] of targets) await httpLoad(url, WARM_UP_SECONDS, connections);
    log(
      `ports: ${rounds} rounds of ${seconds} s, ${connections} connections, on ${targets.map(([name]) => name).join(', ')} in turns`,
    );
    for (let round = 0; round < rounds; round++) {
      for (const [name, url] of targets) loads[name].push(await httpLoad(url, seconds, connections));
    }
    return {
      seconds,
      connections,
      direct: loads.direct,
      bareRelay: loads.bareRelay,
      portForward: loads.portForward,
      preview: 'url' in rig.preview ? loads.preview : rig.preview,
    };
  } finally {
    for (const problem of await rig.stop()) log(`warning: ${problem}`);
  }
}

/** The median of each figure over the rounds; failures added up. */
export function medianLoad(loads: Load[]): Load {
  const median = (pick: (l: Load) => number) => percentile(loads.map(pick), 50);
  return {
    requestsPerSecond: median((l) => l.requestsPerSecond),
    p50Ms: median((l) => l.p50Ms),
    p99Ms: median((l) => l.p99Ms),
    meanMs: median((l) => l.meanMs),
    non2xx: loads.reduce((sum, l) => sum + l.non2xx, 0),
    errors: loads.reduce((sum, l) => sum + l.errors, 0),
  };
}

/** autocannon's percentiles are whole milliseconds. */
const wholeMs = (ms: number) => (ms < 1 ? '< 1 ms' : `${ms} ms`);

export function tunnelRows(f: TunnelFigures): string[][] {
  const direct = medianLoad(f.direct);
  const row = (name: string, loads: Load[]) => {
    const l = medianLoad(loads);
    return [
      name,
      `${l.requestsPerSecond.toFixed(0)}/s`,
      `${(l.requestsPerSecond / direct.requestsPerSecond).toFixed(2)}×`,
      `${l.meanMs.toFixed(2)} ms`,
      wholeMs(l.p50Ms),
      wholeMs(l.p99Ms),
      String(l.non2xx + l.errors),
    ];
  };
  const rows = [
    ['HTTP GET, keep-alive', 'requests/s', 'of direct', 'mean', 'p50', 'p99', 'failed'],
    row('direct to the app on the host', f.direct),
    row(`bare relay chain (${RELAY_HOPS} Node pipes) → app on the host`, f.bareRelay),
    row('aether port-forward → app in the VM', f.portForward),
  ];
  if (Array.isArray(f.preview)) rows.push(row('preview URL → app in the VM', f.preview));
  return rows;
}

/** The port-forward against what the same number of bare hops gets: the tunnel's own overhead. */
export function tunnelCeilingLine(f: TunnelFigures): string {
  const ours = medianLoad(f.portForward).requestsPerSecond;
  const bare = medianLoad(f.bareRelay).requestsPerSecond;
  const direct = medianLoad(f.direct).requestsPerSecond;
  return `port-forward = ${(ours / bare).toFixed(2)}× the bare relay chain, which itself is ${(bare / direct).toFixed(2)}× of direct: the ceiling of any tunnel with ${RELAY_HOPS} relaying processes on this machine`;
}
