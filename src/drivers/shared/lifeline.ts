/**
 * The host's end of a warm-pool member's lifeline. A pool member belongs to no VM, so it must die
 * with the host process that made it, however that process dies; a VM must not (a restarted
 * worker finds it again). So each member gets a socket pair as the stdin of a process that
 * watches it: the sandbox's agent (process driver, src/agent/lifeline.ts) or a small watcher
 * beside a QEMU (qemu driver, qemu/pool-lifeline.ts). Node opens our end close-on-exec, so no
 * other process holds it: when this process exits, even on SIGKILL, the kernel closes it and the
 * watcher reads EOF and ends the member. Adopting the member writes one line instead: the watcher
 * lets go, and the member lives on as any VM does.
 *
 * Why not a parent-death signal: PR_SET_PDEATHSIG is out of Node's reach without a native module,
 * and once set (e.g. by `setpriv --pdeathsig`) it cannot be taken back from outside the process,
 * so an adopted member would still die with its worker.
 */
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';

const RELEASE = Buffer.from('\n');

export class Lifeline {
  private readonly end: Writable;

  /** `end`: the watcher's stdin, as Node's `child.stdin`. It must not keep this process alive. */
  constructor(end: Writable) {
    this.end = end;
    end.on('error', () => {}); // a watcher that is gone already: release() reports it
    (end as Partial<Socket>).unref?.();
  }

  /** The member no longer depends on us. Resolves once the line is in the pipe, before any crash of ours. */
  release(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.end.destroyed) {
        reject(new Error('the lifeline is already closed'));
        return;
      }
      this.end.write(RELEASE, (error) => {
        this.end.destroy();
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /** Closes our end without releasing: the watcher ends the member, as when this process dies. */
  cut(): void {
    this.end.destroy();
  }
}
