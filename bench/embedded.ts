import { startTestNode } from '../test/support/embedded-node.js';
import { runBaseline } from './baseline.js';
import { percentile, throughput, timeIt } from './stats.js';

export interface EmbeddedFigures {
  lifecycle: { samples: number; createToFirstExec: number[]; fullCycle: number[]; baseline: number[] };
  execRoundTrip: { samples: number; ours: number[]; bareNamespace: number[]; bareSpawn: number[] };
  throughput: { clients: number; total: number; ours: number; bareNamespace: number };
}

export interface EmbeddedOptions {
  lifecycleVms: number;
  execCalls: number;
  throughputCalls: number;
  clients: number;
}

/** Embedded mode (`aether up`) through its real REST API, against bare namespace spawns. */
export async function benchEmbedded(
  options: EmbeddedOptions,
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<EmbeddedFigures> {
  const node = await startTestNode(env);
  const client = node.client;
  try {
    log(`lifecycle: ${options.lifecycleVms} sequential create → first exec → delete`);
    const createToFirstExec: number[] = [];
    const fullCycle: number[] = [];
    for (let i = 0; i < options.lifecycleVms + 2; i++) {
      const started = performance.now();
      const { vm } = await client.createVm({ name: `bench-${i}` }, { wait: true });
      const res = await client.execute(vm.id, { command: 'true' }, { wait: true });
      if (res.execution?.exit_code !== 0) throw new Error(`bench exec failed: ${JSON.stringify(res)}`);
      const firstExec = performance.now() - started;
      await client.deleteVm(vm.id, { wait: true });
      const cycle = performance.now() - started;
      if (i < 2) continue; // warm-up
      createToFirstExec.push(firstExec);
      fullCycle.push(cycle);
    }
    const baseline = (await runBaseline('namespace', options.lifecycleVms)).samples;

    log(`exec round trip: ${options.execCalls} calls on a warm VM`);
    const { vm } = await client.createVm({ name: 'bench-warm' }, { wait: true });
    const ours: number[] = [];
    for (let i = 0; i < 20; i++) await client.execute(vm.id, { command: 'true' }, { wait: true });
    for (let i = 0; i < options.execCalls; i++) {
      ours.push(await timeIt(() => client.execute(vm.id, { command: 'true' }, { wait: true })));
    }
    const bareNs = (await runBaseline('namespace', options.execCalls)).samples;
    const bare = (await runBaseline('plain', options.execCalls)).samples;

    log(`throughput: ${options.throughputCalls} executions from ${options.clients} concurrent clients`);
    const oursPerSecond = await throughput(options.throughputCalls, options.clients, () =>
      client.execute(vm.id, { command: 'true' }, { wait: true }),
    );
    const barePerSecond = (await runBaseline('namespace', options.throughputCalls, options.clients))
      .perSecond;
    await client.deleteVm(vm.id, { wait: true });
    return {
      lifecycle: { samples: createToFirstExec.length, createToFirstExec, fullCycle, baseline },
      execRoundTrip: { samples: ours.length, ours, bareNamespace: bareNs, bareSpawn: bare },
      throughput: {
        clients: options.clients,
        total: options.throughputCalls,
        ours: oursPerSecond,
        bareNamespace: barePerSecond,
      },
    };
  } finally {
    await node.stop();
  }
}

export function summarise(f: EmbeddedFigures) {
  const p = percentile;
  return {
    'create→first exec p50': [p(f.lifecycle.createToFirstExec, 50), p(f.lifecycle.baseline, 50)],
    'create→first exec p95': [p(f.lifecycle.createToFirstExec, 95), p(f.lifecycle.baseline, 95)],
    'create→exec→delete p50': [p(f.lifecycle.fullCycle, 50), p(f.lifecycle.baseline, 50)],
    'exec round trip p50': [p(f.execRoundTrip.ours, 50), p(f.execRoundTrip.bareNamespace, 50)],
    'exec round trip p99': [p(f.execRoundTrip.ours, 99), p(f.execRoundTrip.bareNamespace, 99)],
  } as Record<string, [number, number]>;
}
