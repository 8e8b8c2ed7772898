/**
 * A port service for tests of the gateway's proxy: the same rules (the caller's VM or 404, a
 * running VM or 409, nothing listening → ERR_PORT_UNREACHABLE), with each connection a plain TCP
 * connection to a server of the test's own on this host, handed out as a Duplex that is not a
 * socket (as the real tunnel is not).
 */
import net from 'node:net';
import { Duplex } from 'node:stream';
import { AetherError } from '../../core/errors.js';
import type { Access } from '../../core/principal.js';
import type { Store } from '../../core/store.js';
import { type VmRecord, vmNotRunning } from '../../core/vm.js';
import type { PortConnector } from '../../gateway/context.js';
import { requireVm } from '../../service/visibility.js';

/** Where a VM's port leads: a TCP port on 127.0.0.1; undefined when nothing listens. */
export type FakePortRoute = (vm: VmRecord, port: number) => number | undefined;

export interface FakeConnection {
  vmId: string;
  port: number;
  /** Who the connection is for: the project of `connect`, the caller named to `connectTo`. */
  caller: string;
  via: string;
  stream: Duplex;
}

export class FakePorts implements PortConnector {
  readonly connections: FakeConnection[] = [];

  constructor(
    private readonly store: Store,
    private readonly route: FakePortRoute,
  ) {}

  /** Connections not closed yet. */
  get open(): number {
    return this.connections.filter((c) => !c.stream.destroyed).length;
  }

  async connect(
    access: Access,
    vmIdOrName: string,
    port: number,
    options: { signal?: AbortSignal; via?: string } = {},
  ): Promise<{ vm: VmRecord; stream: Duplex }> {
    const vm = await requireVm(this.store, access, vmIdOrName);
    const stream = await this.connectTo(vm, port, {
      caller: access.project,
      via: options.via ?? 'port-forward',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { vm, stream };
  }

  async connectTo(
    vm: VmRecord,
    port: number,
    options: { signal?: AbortSignal; caller: string; via: string },
  ): Promise<Duplex> {
    if (vm.status !== 'running') throw vmNotRunning(vm, 'ports are connected to');
    const target = this.route(vm, port);
    if (target === undefined) throw unreachable(port, 'no route');
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(target, '127.0.0.1');
      const abort = () => {
        socket.destroy();
        reject(options.signal?.reason);
      };
      options.signal?.addEventListener('abort', abort, { once: true });
      socket.once('connect', () => {
        options.signal?.removeEventListener('abort', abort);
        resolve(socket);
      });
      socket.once('error', (error) => reject(unreachable(port, error.message)));
    });
    const stream = new TunnelStream(socket);
    this.connections.push({ vmId: vm.id, port, caller: options.caller, via: options.via, stream });
    return stream;
  }
}

function unreachable(port: number, why: string): AetherError {
  return new AetherError('ERR_PORT_UNREACHABLE', `nothing accepts connections on port ${port} (${why})`);
}

/** A socket behind a Duplex of its own, with its half-close and backpressure. */
class TunnelStream extends Duplex {
  constructor(private readonly socket: net.Socket) {
    super({ allowHalfOpen: true });
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', (hadError) => {
      if (hadError) this.destroy(new Error('the connection was reset'));
    });
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
