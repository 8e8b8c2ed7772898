/**
 * The lifeline of a VM that belongs to no one yet (a warm-pool sandbox): a descriptor, inherited
 * from the isolation tool, whose other end only the host process that booted the VM holds. When
 * that process dies, however it dies (even SIGKILL), the kernel closes its end and we read EOF:
 * the agent then shuts down, and with it the VM. When a VM adopts the sandbox, the host writes a
 * byte instead: the sandbox now outlives its host process like any VM, so we stop watching.
 * (The host's end, and why not a parent-death signal: src/drivers/shared/lifeline.ts.)
 */
import { Socket } from 'node:net';

/** Calls `onCut` once on EOF or a read error of `fd`; stops watching after the first byte. */
export function watchLifeline(fd: number, onCut: () => void): void {
  const line = new Socket({ fd, readable: true, writable: false });
  let done = false;
  const finish = (cut: boolean) => {
    if (done) return;
    done = true;
    if (cut) onCut();
    // Released: stop reading but keep the descriptor, so a socket we open later never lands on
    // fd 0 (commands we spawn get stdio of their own either way).
    else line.pause();
  };
  line.on('data', () => finish(false));
  line.on('end', () => finish(true));
  line.on('error', () => finish(true));
}
