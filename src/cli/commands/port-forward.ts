import net from 'node:net';
import type { AetherClient } from '@aetherium/sdk';
import type { Command } from 'commander';
import { AetherError } from '../../core/errors.js';
import { MAX_GUEST_PORT } from '../../core/guest-ports.js';
import { relayWebSocket } from '../../core/socket-relay.js';
import { clientFromEnv } from '../client-from-env.js';
import { printJson } from '../format.js';

interface PortPair {
  local: number;
  remote: number;
}

/** `8000:3000`, `3000` (the same port here), or `:3000` (any free port here). */
export function parsePortPair(text: string): PortPair {
  const match = /^(?:(\d*):)?(\d+)$/.exec(text);
  const port = (value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > MAX_GUEST_PORT) throw new Error();
    return n;
  };
  try {
    if (!match) throw new Error();
    const remote = port(match[2]!, 1);
    const local = match[1] === undefined ? remote : match[1] === '' ? 0 : port(match[1], 0);
    return { local, remote };
  } catch {
    throw new AetherError(
      'ERR_VALIDATION',
      `"${text}" is not a port pair: LOCAL:REMOTE (8000:3000), PORT (3000), or :REMOTE for any free local port`,
    );
  }
}

/**
 * `aether port-forward VM 8000:3000 …`: like `kubectl port-forward`, each connection to the local
 * port becomes a connection to the port inside the VM, through the gateway and the VM's agent
 * (the VM needs no network). Runs until interrupted.
 */
export function registerPortForwardCommand(program: Command): void {
  program
    .command('port-forward <vm> <ports...>')
    .description('forward local ports to ports inside a VM (LOCAL:REMOTE), until Ctrl-C')
    .option('--address <ip>', 'local address to listen on', '127.0.0.1')
    .option('--json', 'print the listening addresses as one JSON line once ready')
    .action(async (vm: string, ports: string[], opts: { address: string; json?: boolean }) => {
      const pairs = ports.map(parsePortPair);
      const client = clientFromEnv();
      // The VM is checked once up front, so a typo fails now rather than at the first connection.
      await client.getVm(vm);
      const servers = await Promise.all(pairs.map((pair) => listen(client, vm, pair, opts.address)));
      const ready = servers.map(({ server, pair }) => ({
        address: opts.address,
        local_port: (server.address() as net.AddressInfo).port,
        remote_port: pair.remote,
      }));
      if (opts.json) printJson({ vm, forwarding: ready });
      else {
        for (const r of ready) {
          process.stdout.write(`Forwarding from ${r.address}:${r.local_port} -> ${r.remote_port}\n`);
        }
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      for (const { server, sockets } of servers) {
        server.close();
        for (const socket of sockets) socket.destroy();
      }
    });
}

async function listen(client: AetherClient, vm: string, pair: PortPair, address: string) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    // Nothing is read until the tunnel is open: the client's first bytes wait in the kernel.
    socket.pause();
    client.openPortSocket(vm, pair.remote).then(
      (tunnel) => {
        if (socket.destroyed) {
          tunnel.close(1000);
          return;
        }
        relayWebSocket(tunnel, socket);
        socket.resume();
      },
      (error: Error) => {
        process.stderr.write(`aether: a connection to port ${pair.remote} failed: ${error.message}\n`);
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new AetherError(
          'ERR_VALIDATION',
          `cannot listen on ${address}:${pair.local}: ${error.code ?? error.message}`,
        ),
      ),
    );
    server.listen(pair.local, address, () => resolve());
  });
  return { server, sockets, pair };
}
