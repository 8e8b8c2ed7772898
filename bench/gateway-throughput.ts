/**
 * Authenticated `GET /api/v1/vms` through the whole gateway (API key check, rate limiter,
 * security headers, validation, tenancy filter, response schema) next to a bare Fastify route on
 * the same machine that lists the same VMs from the same store with none of that, and a bare
 * route that answers a constant (the HTTP floor). The load generator (autocannon) runs in its
 * own process, the same way for each target.
 */
import Fastify from 'fastify';
import { newId } from '../src/core/ids.js';
import { startTestNode, type TestNode } from '../test/support/embedded-node.js';
import { type Load, httpLoad as load } from './http-load.js';

const store_ = (node: TestNode) => node.node.backends.store;

export interface GatewayFigures {
  seconds: number;
  connections: number;
  vms: number;
  ours: Load;
  bareList: Load;
  bareConstant: Load;
}

/**
 * `env` picks the backends: none for the embedded store (PGlite), DATABASE_URL and REDIS_URL for
 * PostgreSQL and Redis. The VMs listed belong to a project of this run, with a key of its own.
 */
export async function benchGatewayThroughput(
  options: { seconds: number; connections: number; vms: number },
  log: (line: string) => void,
  env: Record<string, string> = {},
): Promise<GatewayFigures> {
  const node = await startTestNode({
    AETHER_RATE_LIMIT_MAX: '1000000000',
    AETHER_WARM_POOL_SIZE: '0',
    ...env,
  });
  const bare = Fastify({ logger: false });
  const project = `bench-${newId().slice(0, 8)}`;
  try {
    const store = node.node.backends.store;
    const { secret } = await node.client.createKey({ name: 'gateway bench', project });
    for (let i = 0; i < options.vms; i++) {
      await store.insertVm({
        id: newId(),
        project,
        name: `listed-${i}`,
        driver: 'process',
        vcpus: 1,
        memoryMiB: 256,
        metadata: {},
      });
    }
    bare.get('/bare/vms', async () => ({ vms: await store.listVms({ project }) }));
    bare.get('/bare/constant', async () => ({ ok: true }));
    const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
    const auth = [`authorization=Bearer ${secret}`];
    const { seconds, connections } = options;
    // Warm-up of each path (JIT, the key cache, PGlite's plan cache), then the measured runs.
    await load(`${node.url}/api/v1/vms`, 1, connections, auth);
    await load(`${bareUrl}/bare/vms`, 1, connections);
    log(`gateway: ${seconds} s of authenticated GET /api/v1/vms, ${connections} connections`);
    const ours = await load(`${node.url}/api/v1/vms`, seconds, connections, auth);
    log(`gateway: ${seconds} s of the bare list route`);
    const bareList = await load(`${bareUrl}/bare/vms`, seconds, connections);
    log(`gateway: ${seconds} s of the bare constant route`);
    const bareConstant = await load(`${bareUrl}/bare/constant`, seconds, connections);
    return { ...options, ours, bareList, bareConstant };
  } finally {
    await bare.close();
    for (const vm of await store_(node).listVms({ project })) {
      await store_(node).transitionVm(vm.id, { from: ['pending'], to: 'deleted', reason: 'bench done' });
    }
    await node.stop();
  }
}

export function gatewayRows(f: GatewayFigures): string[][] {
  const row = (name: string, l: Load) => [
    name,
    `${l.requestsPerSecond.toFixed(0)}/s`,
    `${l.p50Ms} ms`,
    `${l.p99Ms} ms`,
    `${((l.requestsPerSecond / f.bareList.requestsPerSecond) * 100).toFixed(0)}%`,
    String(l.non2xx),
  ];
  return [
    ['target', 'requests/s', 'p50', 'p99', 'of bare list', 'non-2xx'],
    row('GET /api/v1/vms, API key (full gateway)', f.ours),
    row('bare Fastify: same list, same store', f.bareList),
    row('bare Fastify: constant answer', f.bareConstant),
  ];
}
