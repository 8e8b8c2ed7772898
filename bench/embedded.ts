/**
 * Embedded mode (`aether up`) through its real REST API, against bare namespace spawns measured
 * in the same run. The node runs as a user runs it, in a process of its own (aether-up.ts), so
 * the load generator's clients neither share its event loop nor flatter its CPU.
 */
import { availableParallelism } from 'node:os';
import type { AetherClient } from '@aetherium/sdk';
import { startAetherUp } from './aether-up.js';
import { runBaseline } from './baseline.js';
import { type EventLoopLag, readEventLoopLag, resetEventLoopLag } from './event-loop-lag.js';
import { percentile, throughput, timeIt } from './stats.js';

export interface EmbeddedFigures {
  lifecycle: { samples: number; createToFirstExec: number[]; fullCycle: number[]; baseline: number[] };
  execRoundTrip: { samples: number; ours: number[]; bareNamespace: number[]; bareSpawn: number[] };
  throughput: {
    clients: number;
    total: number;
    ours: number;
    bareNamespace: number;
    /** The node's event-loop delay during the run; null when its /metrics lacks it. */
    eventLoopLag: EventLoopLag | null;
  };
  /** What went wrong stopping the node (a VM it could not delete, a sandbox left running). */
  warnings: string[];
}

export interface EmbeddedOptions {
  lifecycleVms: number;
  execCalls: number;
  throughputCalls: number;
  clients: number;
}

async function execTrue(client: AetherClient, vmId: string): Promise<void> {
  const res = await client.execute(vmId, { command: 'true' }, { wait: true });
  if (res.execution?.exit_code !== 0) throw new Error(`bench exec failed: ${JSON.stringify(res)}`);
}

async function measure(
  client: AetherClient,
  options: EmbeddedOptions,
  log: (line: string) => void,
): Promise<Omit<EmbeddedFigures, 'warnings'>> {
  log(`lifecycle: ${options.lifecycleVms} sequential create → first exec → delete`);
  const createToFirstExec: number[] = [];
  const fullCycle: number[] = [];
  for (let i = 0; i < options.lifecycleVms + 2; i++) {
    const started = performance.now();
    const { vm } = await client.createVm({ name: `bench-${i}` }, { wait: true });
    await execTrue(client, vm.id);
    const firstExec = performance.now() - started;
    await client.deleteVm(vm.id, { wait: true });
    const cycle = performance.now() - started;
    if (i < 2) continue; // warm-up
    createToFirstExec.push(firstExec);
    fullCycle.push(cycle);
  }
  const baseline = (await runBaseline('namespace', options.lifecycleVms)).samples;

  log(`exec round trip: ${options.execCalls} calls on a warm VM`);
  // As many vCPUs as the host has cores: the bare baseline spawns on every core, and a VM is held
  // to its vCPUs (a CPU quota), so a 1-vCPU VM would measure its own limit, not the platform.
  const { vm } = await client.createVm(
    { name: 'bench-warm', vcpus: Math.min(availableParallelism(), 64) },
    { wait: true },
  );
  const ours: number[] = [];
  for (let i = 0; i < 20; i++) await execTrue(client, vm.id);
  for (let i = 0; i < options.execCalls; i++) ours.push(await timeIt(() => execTrue(client, vm.id)));
  const bareNs = (await runBaseline('namespace', options.execCalls)).samples;
  const bare = (await runBaseline('plain', options.execCalls)).samples;

  log(`throughput: ${options.throughputCalls} executions from ${options.clients} concurrent clients`);
  await resetEventLoopLag(client);
  const oursPerSecond = await throughput(options.throughputCalls, options.clients, () =>
    execTrue(client, vm.id),
  );
  const eventLoopLag = await readEventLoopLag(client);
  const barePerSecond = (await runBaseline('namespace', options.throughputCalls, options.clients)).perSecond;
  await client.deleteVm(vm.id, { wait: true });
  return {
    lifecycle: { samples: createToFirstExec.length, createToFirstExec, fullCycle, baseline },
    execRoundTrip: { samples: ours.length, ours, bareNamespace: bareNs, bareSpawn: bare },
    throughput: {
      clients: options.clients,
      total: options.throughputCalls,
      ours: oursPerSecond,
      bareNamespace: barePerSecond,
      eventLoopLag,
    },
  };
}

/** Runs the embedded figures against a fresh `aether up` started with `env` on top of its defaults. */
export async function benchEmbedded(
  options: EmbeddedOptions,
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<EmbeddedFigures> {
  const node = await startAetherUp(env, log);
  let figures: Omit<EmbeddedFigures, 'warnings'>;
  try {
    figures = await measure(node.client, options, log);
  } catch (error) {
    for (const line of await node.stop()) log(`while stopping: ${line}`);
    throw error;
  }
  return { ...figures, warnings: await node.stop() };
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
