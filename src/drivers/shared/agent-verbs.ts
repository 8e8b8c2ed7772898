/**
 * The driver calls that are one guest-agent call on every agent-backed driver (process, docker,
 * qemu, firecracker): run a command, work with files, connect to a port. The agent does the same
 * work on each backend; only how the driver reaches it differs (AgentConnections' `connect`).
 */
import type { Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { VmDriver } from '../../core/driver.js';
import type { FileDownload, GuestFiles } from '../../core/guest-files.js';
import type { GuestPorts } from '../../core/guest-ports.js';
import type { AgentConnections } from './agent-connections.js';

export function agentVerbs(
  agents: AgentConnections,
): Pick<VmDriver, 'exec' | 'files'> & { ports: GuestPorts } {
  return {
    exec: (id, request, output, signal) => agents.use(id, (agent) => agent.exec(request, output, signal)),
    files: agentFiles(agents),
    ports: agentPorts(agents),
  };
}

/** Files through the VM's agent, paths relative to the guest's home unless absolute. */
function agentFiles(agents: AgentConnections): GuestFiles {
  return {
    writeFile: (id, path, source, options) =>
      agents.use(id, (agent) => agent.writeFile(path, source, options)),
    readFile: (id, path, options) =>
      new Promise<FileDownload>((resolve, reject) => {
        // The connection counts as in use until the body is done with (read, failed or
        // destroyed), not just until the download opened: an idle release must not cut it.
        agents
          .use(id, async (agent) => {
            const download = await agent.readFile(path, options);
            resolve(download);
            await finished(download.body).catch(() => {});
          })
          .catch(reject);
      }),
    stat: (id, path) => agents.use(id, (agent) => agent.stat(path)),
    list: (id, path, options) => agents.use(id, (agent) => agent.list(path, options)),
    mkdir: (id, path, options) => agents.use(id, (agent) => agent.mkdir(path, options)),
    remove: (id, path, options) => agents.use(id, (agent) => agent.remove(path, options)),
    rename: (id, from, to) => agents.use(id, (agent) => agent.rename(from, to)),
    chmod: (id, path, mode) => agents.use(id, (agent) => agent.chmod(path, mode)),
    symlink: (id, path, target) => agents.use(id, (agent) => agent.symlink(path, target)),
  };
}

/** Ports through the VM's agent: the connection counts as in use while a tunnel is open. */
function agentPorts(agents: AgentConnections): GuestPorts {
  return {
    connect: (id, port, options) =>
      new Promise<Duplex>((resolve, reject) => {
        agents
          .use(id, async (agent) => {
            const tunnel = await agent.connectPort(port, options);
            resolve(tunnel);
            await finished(tunnel).catch(() => {});
          })
          .catch(reject);
      }),
  };
}
