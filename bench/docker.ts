/**
 * The docker driver through Aetherium's REST API (embedded node, `--driver docker`), next to the
 * bare `docker` CLI on the same engine and image in the same run:
 *   create → first exec   vs  `docker run --rm IMAGE true`          (target ratio ≤ 1.0)
 *   exec on a warm VM     vs  `docker exec CONTAINER true`           (target ratio ≤ 0.5)
 *   50 concurrent creates, each followed by one exec: wall time and successes (target: all 50)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestNode } from '../test/support/embedded-node.js';
import { percentile, timeIt } from './stats.js';

const execFileAsync = promisify(execFile);

export interface DockerFigures {
  image: string;
  engine: string;
  createToFirstExec: { ours: number[]; bareRun: number[] };
  execRoundTrip: { ours: number[]; bareExec: number[] };
  burst: { size: number; wallMs: number; succeeded: number; failures: string[] };
}

export interface DockerOptions {
  lifecycleVms: number;
  execCalls: number;
  burst: number;
}

const docker = (args: string[]) => execFileAsync('docker', args, { timeout: 120_000 });

/** Null when there is no engine or no image to measure with (the reason is returned instead). */
export async function dockerUnavailable(image: string): Promise<string | null> {
  try {
    await docker(['version', '--format', '{{.Server.Version}}']);
  } catch (error) {
    return `no Docker engine answers the docker CLI (${(error as Error).message.split('\n')[0]})`;
  }
  try {
    await docker(['image', 'inspect', image]);
  } catch {
    return `image ${image} is missing; build it with \`aether image build --docker\``;
  }
  return null;
}

export async function benchDocker(
  options: DockerOptions,
  image: string,
  log: (line: string) => void,
): Promise<DockerFigures> {
  const engine = (
    await docker(['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'])
  ).stdout.trim();
  const node = await startTestNode({
    AETHER_DRIVER: 'docker',
    AETHER_DRIVERS: 'docker',
    AETHER_DOCKER_IMAGE: image,
    AETHER_WORKER_CONCURRENCY: String(Math.max(16, options.burst)),
  });
  const client = node.client;
  try {
    log(`create → first exec: ${options.lifecycleVms} sequential VMs, and as many bare \`docker run --rm\``);
    const ours: number[] = [];
    const bareRun: number[] = [];
    for (let i = 0; i < options.lifecycleVms + 2; i++) {
      const started = performance.now();
      const { vm } = await client.createVm({ name: `bench-docker-${i}` }, { wait: true });
      const res = await client.execute(vm.id, { command: 'true' }, { wait: true });
      if (res.execution?.exit_code !== 0) throw new Error(`bench exec failed: ${JSON.stringify(res)}`);
      const elapsed = performance.now() - started;
      await client.deleteVm(vm.id, { wait: true });
      const bare = await timeIt(() => docker(['run', '--rm', '--network', 'none', image, 'true']));
      if (i < 2) continue; // warm-up
      ours.push(elapsed);
      bareRun.push(bare);
    }

    log(`exec round trip: ${options.execCalls} calls on a warm VM, and as many bare \`docker exec\``);
    const { vm } = await client.createVm({ name: 'bench-docker-warm' }, { wait: true });
    const container = `aether-${vm.id}`;
    const execOurs: number[] = [];
    const bareExec: number[] = [];
    for (let i = 0; i < 10; i++) await client.execute(vm.id, { command: 'true' }, { wait: true });
    for (let i = 0; i < options.execCalls; i++) {
      execOurs.push(await timeIt(() => client.execute(vm.id, { command: 'true' }, { wait: true })));
      bareExec.push(await timeIt(() => docker(['exec', container, 'true'])));
    }
    await client.deleteVm(vm.id, { wait: true });

    log(`burst: ${options.burst} concurrent creates, each followed by one exec`);
    const failures: string[] = [];
    const ids: string[] = [];
    const burstStarted = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: options.burst }, async (_, i) => {
        try {
          const { vm: made } = await client.createVm({ name: `bench-burst-${i}` }, { wait: true });
          ids.push(made.id);
          if (made.status !== 'running')
            throw new Error(`VM ${made.id} is ${made.status}: ${made.status_reason}`);
          const res = await client.execute(made.id, { command: 'echo', args: [`vm-${i}`] }, { wait: true });
          if (res.execution?.stdout !== `vm-${i}\n`)
            throw new Error(`unexpected output ${JSON.stringify(res.execution)}`);
          return true;
        } catch (error) {
          failures.push((error as Error).message);
          return false;
        }
      }),
    );
    const wallMs = performance.now() - burstStarted;
    await Promise.all(ids.map((id) => client.deleteVm(id, { wait: true }).catch(() => {})));
    return {
      image,
      engine,
      createToFirstExec: { ours, bareRun },
      execRoundTrip: { ours: execOurs, bareExec },
      burst: { size: options.burst, wallMs, succeeded: outcomes.filter(Boolean).length, failures },
    };
  } finally {
    await node.stop();
  }
}

export function dockerRows(f: DockerFigures): string[][] {
  const p = percentile;
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  const row = (name: string, ours: number, base: number, target: number) => [
    name,
    fmt(ours),
    fmt(base),
    `${(ours / base).toFixed(2)}×`,
    `≤ ${target.toFixed(1)} ${ours / base <= target ? 'met' : 'NOT met'}`,
  ];
  return [
    ['figure', 'aetherium', 'bare docker CLI', 'ratio', 'target'],
    row(
      'create→first exec p50 (vs docker run --rm)',
      p(f.createToFirstExec.ours, 50),
      p(f.createToFirstExec.bareRun, 50),
      1,
    ),
    row(
      'create→first exec p95 (vs docker run --rm)',
      p(f.createToFirstExec.ours, 95),
      p(f.createToFirstExec.bareRun, 95),
      1,
    ),
    row(
      'exec round trip p50 (vs docker exec)',
      p(f.execRoundTrip.ours, 50),
      p(f.execRoundTrip.bareExec, 50),
      0.5,
    ),
    row(
      'exec round trip p95 (vs docker exec)',
      p(f.execRoundTrip.ours, 95),
      p(f.execRoundTrip.bareExec, 95),
      0.5,
    ),
    [
      `burst: ${f.burst.size} concurrent create + exec`,
      `${f.burst.succeeded}/${f.burst.size} ok`,
      `${(f.burst.wallMs / 1000).toFixed(1)} s wall`,
      '',
      `all ${f.burst.size} ${f.burst.succeeded === f.burst.size ? 'met' : 'NOT met'}`,
    ],
  ];
}
