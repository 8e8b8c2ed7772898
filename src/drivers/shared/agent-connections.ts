import type { AgentClient } from '../../protocol/client.js';

/**
 * One agent connection per VM, opened on first use and shared by every caller; forgotten when it
 * closes or fails to open, so the next caller opens a fresh one.
 */
export class AgentConnections {
  private readonly open = new Map<string, Promise<AgentClient>>();

  constructor(private readonly connect: (id: string) => Promise<AgentClient>) {}

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

  /** Closes the VM's connection, if any (the VM is stopping, or another host should have it). */
  drop(id: string): void {
    const agent = this.open.get(id);
    this.open.delete(id);
    void agent?.then((c) => c.close()).catch(() => {});
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((c) => c.then((agent) => agent.close()).catch(() => {})));
  }

  private forget(id: string, connection: Promise<AgentClient>): void {
    if (this.open.get(id) === connection) this.open.delete(id);
  }
}
