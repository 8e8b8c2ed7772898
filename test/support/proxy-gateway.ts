/**
 * A real gateway over a real (in-memory PGlite) store, listening on a free port, with a fake port
 * service whose connections lead to servers the test runs on this host: the proxy and preview
 * URLs tested over real HTTP without a VM.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../../src/core/logger.js';
import { SYSTEM_ACCESS } from '../../src/core/principal.js';
import type { Store } from '../../src/core/store.js';
import type { VmRecord, VmStatus } from '../../src/core/vm.js';
import { createLocalEventBus } from '../../src/events/local/local-event-bus.js';
import { buildGateway } from '../../src/gateway/app.js';
import type { PreviewSettings } from '../../src/gateway/context.js';
import { createLocalQueue } from '../../src/queue/local/local-queue.js';
import { loadConfig } from '../../src/runtime/config.js';
import { taskTimeouts } from '../../src/runtime/node.js';
import { ApiKeyService } from '../../src/service/api-keys.js';
import { createServices, type Services } from '../../src/service/services.js';
import { type FakePortRoute, FakePorts } from '../../src/testing/fakes/fake-ports.js';
import { openMemoryStore } from './memory-store.js';

export interface ProxyGateway {
  url: string;
  port: number;
  app: FastifyInstance;
  store: Store;
  services: Services;
  ports: FakePorts;
  /** A key of `project` (an admin key of the default project when `admin`). */
  key(project: string, admin?: boolean): Promise<string>;
  /** A VM of `project` in the store, in `status` (default running); nothing runs it. */
  vm(project: string, status?: VmStatus): Promise<VmRecord>;
  close(): Promise<void>;
}

export async function startProxyGateway(
  route: FakePortRoute,
  options: { previews?: PreviewSettings; requestTimeoutMs?: number } = {},
): Promise<ProxyGateway> {
  const store = await openMemoryStore();
  const queue = createLocalQueue();
  const events = createLocalEventBus();
  const deps = { store, queue, events, logger: silentLogger };
  const services = createServices(deps, {
    defaultDriver: 'process',
    drivers: [],
    timeouts: taskTimeouts(loadConfig({})),
    maxWaitMs: 1000,
  });
  const apiKeys = new ApiKeyService(store);
  const ports = new FakePorts(store, route);
  const app = await buildGateway(
    {
      services,
      apiKeys,
      auth: { apiKeys, jwt: null },
      output: services.output,
      readiness: async () => ({ ok: true, components: {} }),
      ports,
      logger: silentLogger,
      version: 'test',
    },
    {
      bodyLimitBytes: 1024 * 1024,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      security: { rateLimit: { max: 1_000_000, windowMs: 60_000 }, corsOrigins: [] },
      maxWaitMs: 1000,
      drivers: [],
      ...(options.previews ? { previews: options.previews } : {}),
    },
  );
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    port: Number(new URL(address).port),
    app,
    store,
    services,
    ports,
    async key(project, admin = false) {
      const { secret } = await apiKeys.create(SYSTEM_ACCESS, { name: 'test', project, admin });
      return secret;
    },
    async vm(project, status = 'running') {
      const vm = await store.insertVm({
        id: randomUUID(),
        project,
        name: `vm-${randomUUID().slice(0, 8)}`,
        driver: 'process',
        vcpus: 1,
        memoryMiB: 256,
        metadata: {},
      });
      if (status === 'pending') return vm;
      const moved = await store.transitionVm(vm.id, { from: ['pending'], to: status, reason: 'test' });
      return moved!;
    },
    async close() {
      await app.close();
      services.close();
      await queue.close();
      await events.close();
      await store.close();
    },
  };
}
