/**
 * The proxy's exchanges in flight, so a closing gateway is not held open by them: an app's answer
 * may stream for hours (server-sent events, a WebSocket), which Fastify's close would wait out.
 * They get a moment to finish, then their client connections are closed (which closes the
 * connections to the apps).
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

interface Closable {
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

export class LiveExchanges {
  private readonly live = new Set<Closable>();

  /** `client`: the response (HTTP) or the connection (upgrade) the exchange answers on. */
  track(client: Closable): void {
    this.live.add(client);
    client.once('close', () => this.live.delete(client));
  }

  async closeAll(graceMs: number): Promise<void> {
    const pending = [...this.live].map((client) => once(client as never, 'close'));
    await Promise.race([Promise.allSettled(pending), sleep(graceMs, undefined, { ref: false })]);
    for (const client of this.live) client.destroy();
  }
}
