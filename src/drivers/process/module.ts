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
  processLimits: {
    env: 'AETHER_PROCESS_LIMITS',
    file: 'process.limits',
    default: 'on',
    doc: 'on: every process-driver VM is held to its vcpus and memory (cgroups, no swap), a task count, a /tmp size and a home size, and a host that cannot enforce that refuses VMs; off: VMs run without any limit (and say so)',
    schema: z.enum(['on', 'off']),
  },
  processPidsLimit: {
    env: 'AETHER_PROCESS_PIDS_LIMIT',
    file: 'process.pids_limit',
    default: 512,
    doc: 'Tasks (processes and threads, the guest agent included) one process-driver VM may have at once',
    schema: z.coerce.number().int().min(32).max(1_000_000),
  },
  processTmpSizeMib: {
    env: 'AETHER_PROCESS_TMP_SIZE_MIB',
    file: 'process.tmp_size_mib',
    default: 256,
    doc: "Size in MiB of a process-driver VM's /tmp (a tmpfs: it also counts against the VM's memory)",
    schema: z.coerce.number().int().min(1).max(1_048_576),
  },
  processHomeSizeMib: {
    env: 'AETHER_PROCESS_HOME_SIZE_MIB',
    file: 'process.home_size_mib',
    default: 4096,
    doc: "Size in MiB of a process-driver VM's home, a filesystem of its own (sparse on the host: it takes what is written)",
    schema: z.coerce.number().int().min(16).max(16_777_216),
  },
});

/** The banner's word on limits: a host that cannot enforce them says so at start, not at first create. */
function limitsLine(driver: { isolation: { limits?: { enforced: boolean; mechanism: string } } }): string {
  const limits = driver.isolation.limits;
  if (!limits) return 'unknown';
  return limits.enforced ? limits.mechanism.split(':')[0]! : limits.mechanism;
}

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
      {
        stateDir,
        agentPath: agent,
        warmPoolSize: options.warmPoolSize,
        limits: options.processLimits,
        pidsLimit: options.processPidsLimit,
        tmpSizeMiB: options.processTmpSizeMib,
        homeSizeMiB: options.processHomeSizeMib,
      },
      { logger },
    );
    // Fill the pool in the background: start-up never waits for it, and a host that cannot boot
    // sandboxes reports that through health and create, not by hanging here.
    if (options.warmPoolSize > 0) void driver.warmUp().catch(() => {});
    return {
      driver,
      line: `process driver: VM files in ${stateDir}${relocated ? ' (the data dir is private to root)' : ''}; ${options.warmPoolSize} sandboxes kept warm; limits ${limitsLine(driver)}`,
    };
  },
});
