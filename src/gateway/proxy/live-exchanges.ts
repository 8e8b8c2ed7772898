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
  /** Exchanges that came in through a preview, by its token. */
  private readonly byPreview = new Map<string, Set<Closable>>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * `client`: the response (HTTP) or the connection (upgrade) the exchange answers on;
   * `previewToken`: the preview it came in through, to close it when the preview ends.
   */
  track(client: Closable, previewToken?: string): void {
    this.live.add(client);
    let group: Set<Closable> | undefined;
    if (previewToken !== undefined) {
      group = this.byPreview.get(previewToken) ?? new Set();
      this.byPreview.set(previewToken, group);
      group.add(client);
    }
    client.once('close', () => {
      this.live.delete(client);
      group?.delete(client);
      if (group?.size === 0 && previewToken !== undefined) this.byPreview.delete(previewToken);
    });
  }

  /**
   * Every `intervalMs`, asks `stillValid` about each preview with open exchanges (one store read
   * per preview, only while some are open), and closes the exchanges of those that are not: a
   * preview revoked on any gateway, expired, or whose VM was deleted stops carrying long-lived
   * connections (WebSockets, event streams) within the interval.
   */
  watchPreviews(stillValid: (token: string) => Promise<boolean>, intervalMs: number): void {
    this.timer = setInterval(() => {
      for (const [token, group] of this.byPreview) {
        stillValid(token).then(
          (valid) => {
            if (valid) return;
            for (const client of group) client.destroy();
          },
          // The store could not tell: keep the connections, ask again next time.
          () => {},
        );
      }
    }, intervalMs);
    this.timer.unref();
  }

  async closeAll(graceMs: number): Promise<void> {
    clearInterval(this.timer);
    const pending = [...this.live].map((client) => once(client as never, 'close'));
    await Promise.race([Promise.allSettled(pending), sleep(graceMs, undefined, { ref: false })]);
    for (const client of this.live) client.destroy();
  }
}
