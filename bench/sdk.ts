/**
 * What the SDK's way of doing things costs, next to the REST API's own shortest way, in the same
 * run on one embedded node, in alternating rounds. A foreground `sandbox.commands.run` (one waited
 * request), and one followed live on its stream (with `onStdout`), next to one
 * `POST …/execute?wait=true` (the API waits and answers with the execution: one request);
 * `Sandbox.create` + `kill` next to `createVm?wait=true` + `deleteVm?wait=true`.
 */
import { type AetherClient, Sandbox } from '@aetherium/sdk';
import { startTestNode } from '../test/support/embedded-node.js';
import { gatewayKey } from '../test/support/gateway-keys.js';
import { fmt, percentile, ratio } from './stats.js';

export interface SdkFigures {
  run: number[];
  /** The same command followed live on its stream (what a foreground run did before). */
  followed: number[];
  executeWait: number[];
  create: number[];
  createWait: number[];
}

const elapsed = async (work: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

export async function benchSdk(
  options: { execs: number; lifecycles: number },
  log: (line: string) => void,
): Promise<SdkFigures> {
  const node = await startTestNode();
  try {
    const connection = { apiUrl: node.url, apiKey: gatewayKey(node.url) ?? '' };
    const client: AetherClient = node.client;
    const sandbox = await Sandbox.create(connection);
    const figures: SdkFigures = { run: [], followed: [], executeWait: [], create: [], createWait: [] };
    log(`sdk: ${options.execs} commands and ${options.lifecycles} create+delete each way, in turns`);
    for (let i = 0; i < options.execs + 5; i++) {
      const run = await elapsed(() => sandbox.commands.run(['true']));
      const wait = await elapsed(() => client.execute(sandbox.id, { command: 'true' }, { wait: true }));
      const followed = await elapsed(() => sandbox.commands.run(['true'], { onStdout: () => {} }));
      // The first few warm every path up (connections, compiled code).
      if (i < 5) continue;
      figures.run.push(run);
      figures.followed.push(followed);
      figures.executeWait.push(wait);
    }
    await sandbox.kill();
    for (let i = 0; i < options.lifecycles; i++) {
      figures.create.push(
        await elapsed(async () => {
          const created = await Sandbox.create(connection);
          await created.kill();
        }),
      );
      figures.createWait.push(
        await elapsed(async () => {
          const { vm } = await client.createVm({ name: `bench-sdk-${i}` }, { wait: true });
          await client.deleteVm(vm.id, { wait: true });
        }),
      );
    }
    return figures;
  } finally {
    await node.stop();
  }
}

export function sdkRows(f: SdkFigures): string[][] {
  const rows: string[][] = [['figure', 'SDK', 'REST API, one waited call', 'ratio']];
  for (const p of [50, 99]) {
    const run = percentile(f.run, p);
    const wait = percentile(f.executeWait, p);
    rows.push([
      `commands.run(['true']) p${p} (baseline: execute?wait=true)`,
      fmt(run),
      fmt(wait),
      ratio(run, wait),
    ]);
    const followed = percentile(f.followed, p);
    rows.push([
      `commands.run(['true'], { onStdout }) p${p}, followed on its stream (baseline: the same)`,
      fmt(followed),
      fmt(wait),
      ratio(followed, wait),
    ]);
  }
  const create = percentile(f.create, 50);
  const createWait = percentile(f.createWait, 50);
  rows.push([
    'Sandbox.create + kill p50 (baseline: createVm + deleteVm, ?wait=true)',
    fmt(create),
    fmt(createWait),
    ratio(create, createWait),
  ]);
  return rows;
}
