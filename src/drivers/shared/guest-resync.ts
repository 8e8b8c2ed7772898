/**
 * What a VM restored from a snapshot needs before anyone uses it: its wall clock stopped at the
 * snapshot (set it to the host's), and its hostname is still the source VM's (give it its own).
 * Both go through the agent, the same for every driver that restores snapshots.
 */
import { AetherError } from '../../core/errors.js';
import type { AgentClient } from '../../protocol/client.js';

const RENAME_TIMEOUT_MS = 10_000;

export async function resyncRestoredGuest(agent: AgentClient, vmId: string, hostname: string): Promise<void> {
  await agent.setClock(Date.now());
  // The name is an argument of the guest's shell, never part of its script.
  const renamed = await agent.exec({
    argv: ['sh', '-c', 'printf %s "$1" > /proc/sys/kernel/hostname', 'sh', hostname],
    timeoutMs: RENAME_TIMEOUT_MS,
  });
  if (renamed.exitCode !== 0) {
    throw new AetherError('ERR_DRIVER_FAILED', `VM ${vmId}: setting its hostname exited ${renamed.exitCode}`);
  }
}
