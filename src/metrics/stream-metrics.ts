import { Counter, Gauge, type Registry } from 'prom-client';

/** What a worker carries between clients and its VMs outside commands: terminals and tunnels. */
export type StreamKind = 'terminal' | 'tunnel';
/** `in`: towards the VM (typed input, a client's request); `out`: from the VM. */
export type StreamDirection = 'in' | 'out';

export interface StreamMetrics {
  bytes(kind: StreamKind, direction: StreamDirection, bytes: number): void;
  opened(kind: StreamKind): void;
  closed(kind: StreamKind): void;
}

export const NO_STREAM_METRICS: StreamMetrics = { bytes() {}, opened() {}, closed() {} };

export function createStreamMetrics(registry: Registry): StreamMetrics {
  const bytes = new Counter({
    name: 'aether_stream_bytes_total',
    help: 'Bytes this worker carried through terminals and port tunnels, by kind and direction (in: towards the VM)',
    labelNames: ['kind', 'direction'],
    registers: [registry],
  });
  const open = new Gauge({
    name: 'aether_streams_open',
    help: 'Terminal sessions and port tunnels open on this worker now, by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  for (const kind of ['terminal', 'tunnel'] as const) open.set({ kind }, 0);
  return {
    bytes: (kind, direction, n) => bytes.inc({ kind, direction }, n),
    opened: (kind) => open.inc({ kind }),
    closed: (kind) => open.dec({ kind }),
  };
}
