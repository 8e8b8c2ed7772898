/**
 * The driver calls that are one guest-agent call on every agent-backed driver (process, docker,
 * qemu, firecracker): run a command, move a file. The agent does the same work on each backend;
 * only how the driver reaches it differs (AgentConnections' `connect`).
 */
import type { VmDriver } from '../../core/driver.js';
import type { AgentConnections } from './agent-connections.js';

/** File transfer through the VM's agent, paths relative to the guest's home unless absolute. */
export interface AgentFileCalls {
  putFile(id: string, path: string, data: Uint8Array, mode?: number): Promise<void>;
  getFile(id: string, path: string): Promise<Uint8Array>;
}

export function agentVerbs(agents: AgentConnections): Pick<VmDriver, 'exec'> & AgentFileCalls {
  return {
    exec: (id, request, output, signal) => agents.use(id, (agent) => agent.exec(request, output, signal)),
    putFile: (id, path, data, mode) => agents.use(id, (agent) => agent.putFile(path, data, mode)),
    getFile: (id, path) => agents.use(id, (agent) => agent.getFile(path)),
  };
}
