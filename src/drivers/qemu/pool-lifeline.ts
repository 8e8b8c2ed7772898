/**
 * The lifeline of a qemu warm-pool member (or of the template VM it is restored from): QEMU
 * cannot watch a descriptor for us, so a tiny `sh` beside it does (see shared/lifeline.ts). On
 * EOF — the host process is gone — it SIGKILLs every process whose argv holds the word
 * `aether-<poolId>`, which is QEMU's `-name` for that member and nothing else's (the pool id is
 * random). It matches by that word, not by pid, so it can start before QEMU does and never hits
 * a recycled pid. Released (adopted, or discarded by us), it exits without a look.
 */
import { spawn } from 'node:child_process';
import { Lifeline } from '../shared/lifeline.js';
import { QEMU_ENV } from './settings.js';

/**
 * $1 = the pool id. Its own argv holds the id, not `aether-<id>`; so do those of the `tr` and
 * subshells it forks. A process that goes away while we look is skipped.
 */
export const POOL_WATCH_SCRIPT = `read -r _ && exit 0
for p in /proc/[0-9]*; do
  c=$(tr '\\0' ' ' < "$p/cmdline" 2>/dev/null) || continue
  case " $c " in *" aether-$1 "*) kill -KILL "\${p#/proc/}" 2>/dev/null || true ;; esac
done
`;

/** Starts the watcher of pool member `poolId`, in a session of its own (no terminal's signals). */
export function watchPoolMember(poolId: string): Lifeline {
  const watcher = spawn('sh', ['-c', POOL_WATCH_SCRIPT, 'aether-pool-watch', poolId], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: QEMU_ENV,
    cwd: '/',
  });
  watcher.once('error', () => {}); // no sh: release() fails, and the sweep at start-up remains
  watcher.unref();
  return new Lifeline(watcher.stdin!);
}
