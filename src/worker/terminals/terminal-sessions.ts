/**
 * The terminal sessions of this worker's VMs, by id. A session that ended is kept a minute so a
 * client re-attaching late still learns how it ended; a VM holds a bounded number of sessions.
 */
import { randomBytes } from 'node:crypto';
import type { TerminalSize, VmDriver } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import type { TerminalAttachment, TerminalInfo, TerminalSpec } from '../../core/terminal.js';
import { TerminalSession } from './terminal-session.js';

/** How long an ended session stays listed (its exit readable, re-attach answered with it). */
const ENDED_KEPT_MS = 60_000;

export interface TerminalSessionsOptions {
  detachGraceMs: number;
  maxPerVm: number;
  onBytes?(direction: 'in' | 'out', bytes: number): void;
  /** A session started, or one that had started ended (gauges). */
  onOpened?(): void;
  onClosed?(): void;
}

export class TerminalSessions {
  private readonly sessions = new Map<string, TerminalSession>();

  constructor(private readonly options: TerminalSessionsOptions) {}

  async open(driver: VmDriver, vmId: string, spec: TerminalSpec): Promise<TerminalInfo> {
    const running = [...this.sessions.values()].filter((s) => s.vmId === vmId && !s.exit).length;
    if (running >= this.options.maxPerVm) {
      throw new AetherError(
        'ERR_TOO_MANY_STREAMS',
        `VM ${vmId} already has ${running} terminals open (at most ${this.options.maxPerVm}); close one first`,
      );
    }
    const id = newTerminalId();
    const session = new TerminalSession(id, vmId, spec, {
      detachGraceMs: this.options.detachGraceMs,
      ...(this.options.onBytes ? { onBytes: this.options.onBytes } : {}),
      onEnded: (ended) => {
        if (started) this.options.onClosed?.();
        setTimeout(() => {
          if (this.sessions.get(id) === ended) this.sessions.delete(id);
        }, ENDED_KEPT_MS).unref();
      },
    });
    let started = false;
    this.sessions.set(id, session);
    try {
      await session.start(driver);
    } catch (error) {
      this.sessions.delete(id);
      throw error;
    }
    started = true;
    this.options.onOpened?.();
    return session.info();
  }

  of(vmId: string): TerminalInfo[] {
    return [...this.sessions.values()].filter((s) => s.vmId === vmId).map((s) => s.info());
  }

  get(vmId: string, id: string): TerminalInfo {
    return this.require(vmId, id).info();
  }

  resize(vmId: string, id: string, size: TerminalSize): void {
    this.require(vmId, id).resize(size);
  }

  close(vmId: string, id: string): void {
    this.require(vmId, id).close();
  }

  attach(vmId: string, id: string): TerminalAttachment {
    return this.require(vmId, id).attach();
  }

  /** Every session's command is killed (the worker stops). */
  closeAll(): void {
    for (const session of this.sessions.values()) session.kill();
  }

  private require(vmId: string, id: string): TerminalSession {
    const session = this.sessions.get(id);
    // Another VM's session answers as a missing one: ids are not proof of access.
    if (!session || session.vmId !== vmId) {
      throw new AetherError('ERR_TERMINAL_NOT_FOUND', `no terminal ${id} on VM ${vmId}`);
    }
    return session;
  }
}

function newTerminalId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(20);
  let id = 'term_';
  // 256 % 36 leaves a small bias, harmless for an id that is not a secret.
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return id;
}
