/**
 * The process driver as a plug-in (see core/driver-module.ts): namespaced sandboxes on the
 * host's kernel. Its code loads when a worker opens it.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { defineOptions } from '../../core/config/option.js';
import { defineDriver } from '../../core/driver-module.js';

const PROCESS_OPTIONS = defineOptions({
  warmPoolSize: {
    env: 'AETHER_WARM_POOL_SIZE',
    file: 'vmm.warm_pool_size',
    default: 2,
    doc: 'Sandboxes the process driver keeps booted, so a create takes milliseconds',
    schema: z.coerce.number().int().min(0).max(64),
  },
});

export const processDriverModule = defineDriver({
  name: 'process',
  summary:
    "Each VM is a sandbox with its own user, PID, mount, IPC, UTS and network namespaces on the host's kernel; no root, no KVM",
  features: [],
  lacks: {
    image: "the process driver runs the host's own /usr",
    network: 'the process driver gives a VM only a loopback device',
    snapshot: 'a process sandbox has no machine state to save',
  },
  options: PROCESS_OPTIONS,
  async open({ options, dataDir, agentPath, logger }) {
    const { copyAgentBundle, createProcessDriver, hiddenFromOthers, ROOT_SANDBOX_BASE } = await import(
      './index.js'
    );
    // When we run as root the sandbox runs as an unprivileged uid, which cannot walk into
    // private directories (a data dir under /root, a mkdtemp dir, a checkout in either): then the
    // VM files go to a per-data-dir folder under /var/lib/aether and the agent bundle is copied
    // there (the test fixtures copy it the same way).
    let stateDir = path.join(dataDir, 'process');
    let agent = agentPath;
    let relocated = false;
    if (
      process.getuid?.() === 0 &&
      (hiddenFromOthers(path.join(stateDir, 'vms'), { read: false }) ||
        hiddenFromOthers(agentPath, { read: true }))
    ) {
      const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
      stateDir = path.join(ROOT_SANDBOX_BASE, `process-${key}`);
      agent = copyAgentBundle(agentPath, stateDir);
      relocated = true;
    }
    const driver = createProcessDriver(
      { stateDir, agentPath: agent, warmPoolSize: options.warmPoolSize },
      { logger },
    );
    // Fill the pool in the background: start-up never waits for it, and a host that cannot boot
    // sandboxes reports that through health and create, not by hanging here.
    if (options.warmPoolSize > 0) void driver.warmUp().catch(() => {});
    return {
      driver,
      line: `process driver: VM files in ${stateDir}${relocated ? ' (the data dir is private to root)' : ''}; ${options.warmPoolSize} sandboxes kept warm`,
    };
  },
});
