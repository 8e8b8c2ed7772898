/**
 * `VmDriver.probe` for the agent-backed drivers: the sandbox's state from the driver's own
 * `status`, then a ping through the VM's shared agent connection (the same one commands use: the
 * agent answers pings between a running command's messages, so a busy VM is not taken for dead).
 * Each driver says what a sandbox that is not running means for it (`gone`).
 */
import type { DriverVmInfo, VmDriver } from '../../core/driver.js';
import type { VmDeathReason } from '../../core/vm-health.js';
import type { AgentConnections } from './agent-connections.js';

/** Default deadline of the ping, connection included. */
export const PROBE_TIMEOUT_MS = 2_500;

/** What a driver makes of a sandbox `status` does not report running. */
export type SandboxGone = (info: DriverVmInfo) => { reason: VmDeathReason; detail: string };

export function agentProbe(
  agents: AgentConnections,
  status: (id: string) => Promise<DriverVmInfo>,
  gone: SandboxGone,
): NonNullable<VmDriver['probe']> {
  return async (id, options = {}) => {
    const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
    const before = await status(id);
    if (before.state !== 'running') return { alive: false, ...gone(before) };
    const answer = await pingWithin(agents, id, timeoutMs);
    if (answer.ok) return { alive: true, rttMs: answer.rttMs };
    // An agent that ends often takes its sandbox with it a moment later (it is its init's child):
    // look again, so the reason names the larger loss when there is one.
    const after = await status(id);
    if (after.state !== 'running') return { alive: false, ...gone(after) };
    return answer.timedOut
      ? { alive: false, reason: 'agent_unresponsive', detail: `no pong within ${timeoutMs} ms` }
      : { alive: false, reason: 'agent_exited', detail: answer.message };
  };
}

type PingAnswer = { ok: true; rttMs: number } | { ok: false; timedOut: boolean; message: string };

/** A ping (connecting first if needed) under one deadline; never rejects. */
function pingWithin(agents: AgentConnections, id: string, timeoutMs: number): Promise<PingAnswer> {
  return new Promise<PingAnswer>((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, timedOut: true, message: 'timed out' }), timeoutMs);
    // The agent's own deadline is later than ours, so a silence is always reported as ours.
    agents
      .use(id, (agent) => agent.ping(timeoutMs + 1_000))
      .then(
        (pong) => resolve({ ok: true, rttMs: pong.rttMs }),
        (error: unknown) =>
          resolve({ ok: false, timedOut: false, message: (error as Error).message ?? String(error) }),
      )
      .finally(() => clearTimeout(timer));
  });
}
