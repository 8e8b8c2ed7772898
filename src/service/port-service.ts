/**
 * Connections to ports inside a VM, for port-forwards and the gateway's HTTP proxy: authorised
 * here (the caller's project, the VM running), carried by the owning worker's data plane to the
 * guest agent, which connects to `127.0.0.1:<port>` inside the VM. Each connection leaves an
 * audit line when it ends.
 */
import type { Duplex } from 'node:stream';
import { AetherError } from '../core/errors.js';
import { MAX_GUEST_PORT, MIN_GUEST_PORT } from '../core/guest-ports.js';
import type { Access } from '../core/principal.js';
import type { VmRecord } from '../core/vm.js';
import type { ServiceDeps } from './service-context.js';
import type { DataPlaneRouter } from './vm-plane-access.js';
import { planeTarget, VmPlaneAccess } from './vm-plane-access.js';

export interface PortConnection {
  vm: VmRecord;
  stream: Duplex;
}

export class PortService {
  private readonly vms: VmPlaneAccess;

  constructor(deps: ServiceDeps, planeFor: DataPlaneRouter) {
    this.vms = new VmPlaneAccess(deps, planeFor);
  }

  /** A connection to `port` in a VM the caller may see (404 otherwise), which must be running. */
  async connect(
    access: Access,
    vmIdOrName: string,
    port: number,
    options: { signal?: AbortSignal; via?: string } = {},
  ): Promise<PortConnection> {
    checkPort(port);
    const { vm, plane } = await this.vms.open(access, vmIdOrName, 'ports are connected to');
    const stream = await plane.connectPort(planeTarget(vm), port, options);
    this.audited(access.project, vm, port, stream, options.via ?? 'port-forward');
    return { vm, stream };
  }

  /**
   * A connection for a caller already authorised by other means (a preview URL: `caller` names
   * it in the audit line).
   */
  async connectTo(
    vm: VmRecord,
    port: number,
    options: { signal?: AbortSignal; caller: string; via: string },
  ): Promise<Duplex> {
    checkPort(port);
    const plane = await this.vms.planeOf(vm, 'ports are connected to');
    const stream = await plane.connectPort(planeTarget(vm), port, options);
    this.audited(options.caller, vm, port, stream, options.via);
    return stream;
  }

  /** Bytes are counted by the worker that carries them (its metrics); here, who and how long. */
  private audited(caller: string, vm: VmRecord, port: number, stream: Duplex, via: string): void {
    const opened = Date.now();
    stream.once('close', () =>
      this.vms.audit(caller, vm, 'port', { port, via, durationMs: Date.now() - opened }),
    );
  }
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < MIN_GUEST_PORT || port > MAX_GUEST_PORT) {
    throw new AetherError(
      'ERR_VALIDATION',
      `port must be an integer from ${MIN_GUEST_PORT} to ${MAX_GUEST_PORT}`,
    );
  }
}
