/** `sandbox.ports`: reach an app listening on a port inside the sandbox (which needs no network). */
import type { Duplex } from 'node:stream';
import type { AetherClient } from '../client/client.js';
import { type Duration, durationSeconds } from './duration.js';

export class Ports {
  constructor(
    private readonly client: AetherClient,
    private readonly vmId: string,
  ) {}

  /**
   * A preview URL of `port`: anyone holding it may open it (HTTP and WebSockets) until it
   * expires (default 1 h) or is revoked; no API key needed.
   */
  async url(port: number, options: { expiresIn?: Duration } = {}): Promise<string> {
    const preview = await this.client.createPreview(this.vmId, port, {
      ...(options.expiresIn !== undefined
        ? { expiresIn: durationSeconds(options.expiresIn, 'expiresIn') }
        : {}),
    });
    return preview.url;
  }

  /** The sandbox's preview URLs (without their tokens). */
  list() {
    return this.client.listPreviews(this.vmId);
  }

  revoke(previewId: string): Promise<void> {
    return this.client.revokePreview(this.vmId, previewId);
  }

  /** A TCP connection to `port` inside the sandbox, as a stream (what `aether port-forward` uses). */
  connect(port: number, options: { signal?: AbortSignal } = {}): Promise<Duplex> {
    return this.client.connectPort(this.vmId, port, options.signal);
  }
}
