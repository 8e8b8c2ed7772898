/**
 * Out-of-memory kills inside our containers, from the engine's event stream. The kernel's OOM
 * killer picks the largest process of the container's cgroup, usually the workload: the agent then
 * sees a plain SIGKILL, and only this event says why. Kept per VM, briefly, for `exec` to ask.
 */
import type Dockerode from 'dockerode';
import type { Logger } from '../../core/logger.js';
import { LABELS } from './container-spec.js';

const REMEMBER_MS = 60_000;
const RETRY_MS = 2_000;

interface EngineEvent {
  Action?: string;
  status?: string;
  time?: number;
  timeNano?: number;
  Actor?: { Attributes?: Record<string, string> };
}

export class OomWatch {
  private readonly kills = new Map<string, number[]>();
  private stream: NodeJS.ReadableStream | null = null;
  private starting: Promise<void> | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly docker: Dockerode,
    private readonly scope: string,
    private readonly logger: Logger,
  ) {}

  /** Subscribes once; resolves when the engine has accepted the subscription. */
  start(): Promise<void> {
    if (this.closed || this.stream) return Promise.resolve();
    this.starting ??= this.subscribe().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async subscribe(): Promise<void> {
    try {
      const stream = (await this.docker.getEvents({
        filters: { type: ['container'], event: ['oom'], label: [`${LABELS.scope}=${this.scope}`] },
      })) as NodeJS.ReadableStream;
      if (this.closed) {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        return;
      }
      this.stream = stream;
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          this.record(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
        }
      });
      const lost = () => {
        if (this.stream !== stream) return;
        this.stream = null;
        this.scheduleRetry();
      };
      stream.on('error', lost);
      stream.on('end', lost);
      stream.on('close', lost);
    } catch (error) {
      this.logger.warn({ err: error }, 'docker driver: cannot subscribe to OOM events; retrying');
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.start();
    }, RETRY_MS);
    this.retry.unref();
  }

  private record(line: string): void {
    let event: EngineEvent;
    try {
      event = JSON.parse(line) as EngineEvent;
    } catch {
      return;
    }
    const vmId = event.Actor?.Attributes?.[LABELS.vmId];
    if (!vmId || (event.Action ?? event.status) !== 'oom') return;
    const at = event.timeNano ? event.timeNano / 1e6 : (event.time ?? Date.now() / 1000) * 1000;
    const now = Date.now();
    const recent = (this.kills.get(vmId) ?? []).filter((t) => now - t < REMEMBER_MS);
    recent.push(at);
    this.kills.set(vmId, recent);
    this.logger.warn({ vmId }, 'docker driver: out-of-memory kill in VM');
  }

  /** True if an OOM kill hit the VM at or after `sinceMs`; waits up to `waitMs` for a late event. */
  async killedSince(vmId: string, sinceMs: number, waitMs = 500): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      // Engine timestamps have second resolution on old APIs: allow one second of slack.
      if ((this.kills.get(vmId) ?? []).some((t) => t >= sinceMs - 1000)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    (this.stream as unknown as { destroy?: () => void } | null)?.destroy?.();
    this.stream = null;
  }
}
