/**
 * What a worker's health check finds about a VM it runs: alive, or dead and why. The reason code
 * starts the `failed` VM's status reason, so people and scripts can match on it.
 */

/**
 * Why a VM is found dead:
 * - `agent_exited`: the sandbox runs but nothing answers on the agent's channel;
 * - `agent_unresponsive`: the agent's channel is open but pings go unanswered (a hung or stopped
 *   agent);
 * - `sandbox_exited`: the sandbox's processes (namespace init, container) are gone;
 * - `oom_killed`: as `sandbox_exited`, and the kernel killed it for lack of memory;
 * - `vmm_exited`: the microVM's monitor process (QEMU, Firecracker) is gone.
 */
export const VM_DEATH_REASONS = [
  'agent_exited',
  'agent_unresponsive',
  'sandbox_exited',
  'oom_killed',
  'vmm_exited',
] as const;
export type VmDeathReason = (typeof VM_DEATH_REASONS)[number];

/** One look at a VM: its sandbox runs and its agent answered, or what is gone. */
export type VmProbeResult =
  | { alive: true; rttMs: number }
  | { alive: false; reason: VmDeathReason; detail: string };

const REASON_TEXT: Record<VmDeathReason, string> = {
  agent_exited: 'the guest agent stopped answering',
  agent_unresponsive: 'the guest agent did not answer pings',
  sandbox_exited: 'the sandbox exited',
  oom_killed: 'the sandbox was killed for lack of memory',
  vmm_exited: 'the virtual machine monitor exited',
};

/** The status reason of a VM found dead: the code first (`agent_exited: ... (detail)`). */
export function vmDeathReason(found: { reason: VmDeathReason; detail: string }): string {
  const detail = found.detail.trim();
  return `${found.reason}: ${REASON_TEXT[found.reason]}${detail ? ` (${detail})` : ''}`;
}
