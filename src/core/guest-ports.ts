/**
 * Connections into a VM: a TCP connection to `127.0.0.1:<port>` opened by the guest agent inside
 * the VM and carried over the agent's channel, so a VM without any network still serves its app
 * to port-forwards and preview URLs. Both directions are flow-controlled end to end: a client that
 * reads slowly slows the app's writes, a slow app slows the client, and no hop buffers more than
 * a window.
 */
import type { Duplex } from 'node:stream';

/** The lowest and highest TCP port a connection may ask for. */
export const MIN_GUEST_PORT = 1;
export const MAX_GUEST_PORT = 65_535;

export interface ConnectPortOptions {
  /** Aborting before the connection is open rejects with the signal's reason; after, it destroys it. */
  signal?: AbortSignal;
}

export interface GuestPorts {
  /**
   * Opens a connection to `127.0.0.1:port` inside the VM. Resolves once the guest connected, with
   * a stream whose writes reach the app and whose reads are what the app sends:
   * - `end()` half-closes (the app reads EOF); the stream's own end is the app's half-close.
   * - `destroy()` closes both directions at once; the app's reset or close, or the agent's channel
   *   going away, destroys the stream with an error (ERR_AGENT_UNREACHABLE when the channel went).
   * Rejects with ERR_PORT_UNREACHABLE when nothing listens there, ERR_VM_NOT_FOUND for a VM the
   * driver does not have.
   */
  connect(vmId: string, port: number, options?: ConnectPortOptions): Promise<Duplex>;
}
