import type { AgentClient } from '../../protocol/client.js';

export interface AgentConnectionOptions {
  /**
   * Close a connection once no call has used it for this long; default: keep it open. For a
   * channel that serves one client at a time (QEMU's chardev): another host process (a restarted
   * worker, a debugging tool) can then connect, at the cost of one resync for the next caller.
   */
  idleReleaseMs?: number;
}

/**
 * One agent connection per VM, opened on first use and shared by every caller; forgotten when it
 * closes or fails to open, so the next caller opens a fresh one.
 */
export class AgentConnections {
  private readonly open = new Map<string, Promise<AgentClient>>();
  private readonly inFlight = new Map<string, number>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly connect: (id: string) => Promise<AgentClient>,
    private readonly options: AgentConnectionOptions = {},
  ) {}

  get(id: string): Promise<AgentClient> {
    const cached = this.open.get(id);
    if (cached) return cached;
    const connecting = this.connect(id).then((agent) => {
      agent.onClose(() => this.forget(id, connecting));
      return agent;
    });
    this.open.set(id, connecting);
    connecting.catch(() => this.forget(id, connecting));
    return connecting;
  }

  /** Runs `fn` with the VM's connection; with `idleReleaseMs`, the connection stays open while any call runs. */
  async use<T>(id: string, fn: (agent: AgentClient) => Promise<T>): Promise<T> {
    const idleReleaseMs = this.options.idleReleaseMs;
    if (idleReleaseMs === undefined) return fn(await this.get(id));
    const idle = this.idleTimers.get(id);
    if (idle) clearTimeout(idle);
    this.idleTimers.delete(id);
    this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + 1);
    try {
      return await fn(await this.get(id));
    } finally {
      const left = (this.inFlight.get(id) ?? 1) - 1;
      if (left > 0) this.inFlight.set(id, left);
      else {
        this.inFlight.delete(id);
        const timer = setTimeout(() => {
          this.idleTimers.delete(id);
          if (!this.inFlight.has(id)) this.drop(id);
        }, idleReleaseMs);
        timer.unref();
        this.idleTimers.set(id, timer);
      }
    }
  }

  /** Closes the VM's connection, if any (the VM is stopping, or another host should have it). */
  drop(id: string): void {
    const agent = this.open.get(id);
    this.open.delete(id);
    void agent?.then((c) => c.close()).catch(() => {});
  }

  async closeAll(): Promise<void> {
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((c) => c.then((agent) => agent.close()).catch(() => {})));
  }

  private forget(id: string, connection: Promise<AgentClient>): void {
    if (this.open.get(id) === connection) this.open.delete(id);
  }
}
