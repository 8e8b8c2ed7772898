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
  async url(port: number, options: { expiresIn?: Duration; signal?: AbortSignal } = {}): Promise<string> {
    const preview = await this.client.withSignal(options.signal).createPreview(this.vmId, port, {
      ...(options.expiresIn !== undefined
        ? { expiresIn: durationSeconds(options.expiresIn, 'expiresIn') }
        : {}),
    });
    return preview.url;
  }

  /** The sandbox's preview URLs (without their tokens). */
  list(options: { signal?: AbortSignal } = {}) {
    return this.client.withSignal(options.signal).listPreviews(this.vmId);
  }

  revoke(previewId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.client.withSignal(options.signal).revokePreview(this.vmId, previewId);
  }

  /** A TCP connection to `port` inside the sandbox, as a stream (what `aether port-forward` uses). */
  connect(port: number, options: { signal?: AbortSignal } = {}): Promise<Duplex> {
    return this.client.connectPort(this.vmId, port, options.signal);
  }
}
