/**
 * `VmDriver.usage` for drivers whose guests have a kernel of their own (QEMU, Firecracker): the
 * agent reads the guest's /proc and statfs, so the figures are the whole guest's as its kernel
 * counts them. The peak memory is the host's business (the VMM's), not the guest's: null.
 */
import type { VmDriver } from '../../core/driver.js';
import type { AgentConnections } from './agent-connections.js';

export function guestUsage(agents: AgentConnections): NonNullable<VmDriver['usage']> {
  return async (id) => {
    const figures = await agents.use(id, (agent) => agent.usage());
    return { ...figures, memoryPeakBytes: null, sampledAt: new Date() };
  };
}
