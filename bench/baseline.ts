import { spawn } from 'node:child_process';

/**
 * The baseline: the same command spawned in an equivalent bare namespace set (user, PID, mount,
 * IPC, UTS, network) with nothing of Aetherium around it — no API, queue, store or agent.
 */
export const BARE_NAMESPACE_ARGS = [
  '--user',
  '--map-root-user',
  '--pid',
  '--fork',
  '--kill-child',
  '--mount',
  '--ipc',
  '--uts',
  '--net',
];

export function spawnAndWait(command: string, args: readonly string[], uid?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', ...(uid !== undefined ? { uid, gid: uid } : {}) });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

/** Spawn `argv` inside a fresh bare namespace set, as an unprivileged user when we are root. */
export function bareNamespaceSpawn(argv: readonly string[]): Promise<void> {
  const uid = process.getuid?.() === 0 ? 65534 : undefined;
  return spawnAndWait('unshare', [...BARE_NAMESPACE_ARGS, ...argv], uid);
}

/** Spawn `argv` directly on the host: what an exec into an already-made namespace costs at least. */
export function bareSpawn(argv: readonly string[]): Promise<void> {
  return spawnAndWait(argv[0]!, argv.slice(1));
}
