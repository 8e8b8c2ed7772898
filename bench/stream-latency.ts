/**
 * Live output latency: from a line's timestamp taken inside the guest (`date +%s%N`, the host's
 * clock: process VMs share its kernel) to that line arriving at a client, over the execution's
 * WebSocket stream. Baselines in the same run: the same lines on the NDJSON stream
 * (`POST …/execute?stream=true`), and their arrival on the node's in-process event bus (the part
 * of the path before the gateway).
 */
import type { AetherClient } from '@aetherium/sdk';
import { chunkBytes } from '@aetherium/sdk';
import { startTestNode } from '../test/support/embedded-node.js';
import { fmt, percentile, ratio } from './stats.js';

export interface StreamLatencyOptions {
  /** Lines printed per measured run. */
  lines: number;
  /** Pause between lines in the guest, ms. */
  intervalMs: number;
}

export interface StreamLatencyFigures {
  websocket: number[];
  eventBus: number[];
  ndjson: number[];
  lines: number;
  intervalMs: number;
}

/** Measured runs per path. */
const ROUNDS = 4;

/** Lines printed before this many are not measured: the stream may still be connecting. */
const WARM_UP_LINES = 10;

const nowMs = () => performance.timeOrigin + performance.now();

/** `sleep 1` first, so the stream is connected and live before the first measured line. */
function script(options: StreamLatencyOptions): string {
  const count = options.lines + WARM_UP_LINES;
  return `sleep 1; for i in $(seq 1 ${count}); do date +%s%N; sleep ${(options.intervalMs / 1000).toFixed(3)}; done`;
}

/** Splits text into whole lines, keeping a partial tail for the next piece. */
function lineReader(onLine: (line: string) => void): (text: string) => void {
  let tail = '';
  return (text) => {
    const parts = (tail + text).split('\n');
    tail = parts.pop() ?? '';
    for (const line of parts) onLine(line);
  };
}

/** Latency of each timestamp line, measured when its text arrives (warm-up lines dropped). */
function latencyRecorder(samples: number[]): (text: string) => void {
  let seen = 0;
  return lineReader((line) => {
    const at = nowMs();
    if (!/^\d{19}$/.test(line)) return;
    seen++;
    if (seen > WARM_UP_LINES) samples.push(at - Number(BigInt(line) / 1000n) / 1000);
  });
}

async function measureWebSocket(
  client: AetherClient,
  vm: string,
  options: StreamLatencyOptions,
  busLatency: (executionId: string) => () => number[],
): Promise<{ websocket: number[]; eventBus: number[] }> {
  const websocket: number[] = [];
  const record = latencyRecorder(websocket);
  const { execution_id } = await client.execute(vm, { command: 'sh', args: ['-c', script(options)] });
  const stopBus = busLatency(execution_id);
  for await (const message of client.openExecutionStream(execution_id)) {
    if (message.type === 'chunk') record(chunkBytes(message).toString('utf8'));
    else if (message.type === 'error') throw new Error(`stream failed: ${message.code} ${message.message}`);
  }
  return { websocket, eventBus: stopBus() };
}

async function measureNdjson(
  client: AetherClient,
  vm: string,
  options: StreamLatencyOptions,
): Promise<number[]> {
  const samples: number[] = [];
  const record = latencyRecorder(samples);
  for await (const line of client.executeStream(vm, { command: 'sh', args: ['-c', script(options)] })) {
    if (line.type === 'stdout') record(line.data);
    else if (line.type === 'error') throw new Error(`NDJSON stream failed: ${JSON.stringify(line)}`);
  }
  return samples;
}

export async function benchStreamLatency(
  options: StreamLatencyOptions,
  log: (line: string) => void,
): Promise<StreamLatencyFigures> {
  const node = await startTestNode();
  try {
    const { vm } = await node.client.createVm({ name: 'bench-stream' }, { wait: true });
    const busLatency = (executionId: string) => {
      const samples: number[] = [];
      const record = latencyRecorder(samples);
      const unsubscribe = node.node.backends.events.subscribe('execution.output', (event) => {
        if (event.executionId === executionId) record(Buffer.from(event.data, 'base64').toString('utf8'));
      });
      return () => {
        unsubscribe();
        return samples;
      };
    };
    log(
      `stream latency: ${options.lines} lines every ${options.intervalMs} ms, over WebSocket and NDJSON in ${ROUNDS} alternating rounds`,
    );
    const websocket: number[] = [];
    const eventBus: number[] = [];
    const ndjson: number[] = [];
    // Alternating rounds, so a burst of load from elsewhere on the machine hits both paths alike.
    const round = { ...options, lines: Math.ceil(options.lines / ROUNDS) };
    for (let i = 0; i < ROUNDS; i++) {
      const measured = await measureWebSocket(node.client, vm.id, round, busLatency);
      websocket.push(...measured.websocket);
      eventBus.push(...measured.eventBus);
      ndjson.push(...(await measureNdjson(node.client, vm.id, round)));
    }
    await node.client.deleteVm(vm.id, { wait: true });
    return { websocket, eventBus, ndjson, lines: options.lines, intervalMs: options.intervalMs };
  } finally {
    await node.stop();
  }
}

export function streamRows(f: StreamLatencyFigures): string[][] {
  const rows: string[][] = [['figure', 'WebSocket stream', 'baseline', 'ratio']];
  for (const p of [50, 99]) {
    const ws = percentile(f.websocket, p);
    const nd = percentile(f.ndjson, p);
    const bus = percentile(f.eventBus, p);
    rows.push([`guest output → client p${p} (baseline: NDJSON stream)`, fmt(ws), fmt(nd), ratio(ws, nd)]);
    rows.push([
      `guest output → client p${p} (baseline: in-process event bus)`,
      fmt(ws),
      fmt(bus),
      ratio(ws, bus),
    ]);
  }
  return rows;
}
