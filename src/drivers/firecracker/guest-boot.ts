/**
 * One boot of a guest in a freshly started VMM, stage by stage, each timed: the API answers,
 * the pre-boot configuration and InstanceStart go through, the guest's init prints its first
 * console line, the agent answers over vsock (then the guest clock is set from the host). A
 * failure names the stage and carries what Firecracker printed, its log and the console's tail.
 */
import { AetherError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { AgentClient } from '../../protocol/client.js';
import type { FirecrackerApi } from './api-client.js';
import { applyBootPlan, type BootPlan } from './boot-plan.js';
import type { BootTimings } from './vm-files.js';
import { tail } from './vm-files.js';
import type { StartedVmm } from './vmm-process.js';

/** The first line the guest's init writes on the console: the kernel is done. */
const INIT_MARKER = 'aether-init:';
const POLL_MS = 20;
/** How much of the console to search for the init's line. */
const CONSOLE_SCAN_BYTES = 100_000;

export interface GuestBootOptions {
  vmId: string;
  vmm: StartedVmm;
  /** `performance.now()` when the VMM was spawned. */
  spawnedAt: number;
  api: FirecrackerApi;
  plan: BootPlan;
  /** Epoch ms by which the agent must answer. */
  deadline: number;
  bootTimeoutMs: number;
  apiTimeoutMs: number;
  /** Host paths of what the VMM writes. */
  files: { vmmOutput: string; console: string; log: string };
  /** One attempt at the agent, bounded by `timeoutMs`. */
  connectAgent(timeoutMs: number): Promise<AgentClient>;
  logger: Logger;
  signal?: AbortSignal;
}

/**
 * A failed boot or restore, as an error naming the stage, with what Firecracker printed, its log
 * and the guest console's tail: a fault Firecracker answered stays ERR_FIRECRACKER_FAULT, a VMM
 * that died is ERR_DRIVER_FAILED, anything else ran out of time.
 */
export async function failure(
  o: Pick<GuestBootOptions, 'vmId' | 'vmm' | 'files'>,
  why: string,
  cause?: unknown,
): Promise<AetherError> {
  const [output, console, log] = await Promise.all([
    tail(o.files.vmmOutput, 1000),
    tail(o.files.console),
    tail(o.files.log, 1000),
  ]);
  const code =
    cause instanceof AetherError && cause.code === 'ERR_FIRECRACKER_FAULT'
      ? 'ERR_FIRECRACKER_FAULT'
      : o.vmm.exited()
        ? 'ERR_DRIVER_FAILED'
        : 'ERR_VM_BOOT_TIMEOUT';
  return new AetherError(
    code,
    `VM ${o.vmId}: ${why}${output ? `; Firecracker said: ${output}` : ''}${log ? `; its log: ${log}` : ''}${console ? `; guest console: ${console}` : ''}`,
    { cause, details: { id: o.vmId } },
  );
}

const initSeen = async (consolePath: string) =>
  (await tail(consolePath, CONSOLE_SCAN_BYTES)).includes(INIT_MARKER);

/** The first stage of a boot and of a load: the fresh VMM's API answers within `timeoutMs`. */
export async function waitForApi(
  o: Pick<GuestBootOptions, 'vmId' | 'vmm' | 'files' | 'api'>,
  timeoutMs: number,
): Promise<void> {
  try {
    await o.api.waitReady(timeoutMs, o.vmm.exited);
  } catch (error) {
    const exited = o.vmm.exited();
    throw await failure(
      o,
      exited
        ? `Firecracker exited at start (${exited})`
        : `Firecracker API did not come up (${(error as Error).message})`,
      error,
    );
  }
}

export async function bootGuest(o: GuestBootOptions): Promise<BootTimings> {
  // Stage 1: the API answers.
  await waitForApi(o, Math.min(o.apiTimeoutMs, o.deadline - Date.now()));
  const vmmUp = performance.now();

  // Stage 2: configure and start.
  try {
    await applyBootPlan(o.api, o.plan);
    await o.api.startInstance();
  } catch (error) {
    throw await failure(o, `Firecracker refused its configuration: ${(error as Error).message}`, error);
  }
  const instanceStarted = performance.now();

  // Stages 3 and 4: the init's console line, then the agent over vsock.
  let initAt: number | null = null;
  for (;;) {
    o.signal?.throwIfAborted();
    const exited = o.vmm.exited();
    if (exited) throw await failure(o, `Firecracker exited during boot (${exited})`);
    const left = o.deadline - Date.now();
    if (left <= 0) throw await failure(o, `agent not ready after ${o.bootTimeoutMs} ms`);
    if (initAt === null && (await initSeen(o.files.console))) initAt = performance.now();
    const agent = await o.connectAgent(Math.min(1_000, left)).catch(() => null);
    if (agent) {
      const ready = performance.now();
      await agent.setClock(Date.now()).catch((error: unknown) => {
        o.logger.warn({ vmId: o.vmId, err: error }, 'cannot set the guest clock');
      });
      await agent.close();
      // The line and the agent may both have come within the last attempt.
      if (initAt === null && (await initSeen(o.files.console))) initAt = ready;
      return {
        vmmStartMs: vmmUp - o.spawnedAt,
        configureMs: instanceStarted - vmmUp,
        kernelBootMs: initAt === null ? null : initAt - instanceStarted,
        agentStartMs: ready - (initAt ?? instanceStarted),
        totalMs: ready - o.spawnedAt,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
