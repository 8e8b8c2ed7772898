/**
 * Whether this host can make the sandboxes the process driver needs: user namespaces with
 * mounts, through unshare or bubblewrap, for an unprivileged user. Where it cannot (Ubuntu
 * 24.04's AppArmor default, without bubblewrap), tests that run VMs skip and print why; under CI
 * that is a failure (see backends.ts).
 */
import { spawnSync } from 'node:child_process';
import { requireBackend } from './backends.js';

export const isRoot = process.getuid?.() === 0;
export const SANDBOX_IDS = isRoot ? { uid: 65534, gid: 65534 } : {};

/** Null when the host can make the sandboxes, else the reason it cannot. */
export function namespacesUnavailable(): string | null {
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
  const probe = spawnSync(
    'unshare',
    ['--user', '--map-root-user', '--mount', '--pid', '--fork', '--net', 'true'],
    {
      encoding: 'utf8',
      env,
      ...SANDBOX_IDS,
    },
  );
  if (probe.status === 0) return null;
  const bwrap = spawnSync('bwrap', ['--unshare-user', '--ro-bind', '/', '/', 'true'], {
    encoding: 'utf8',
    env,
    ...SANDBOX_IDS,
  });
  if (bwrap.status === 0) return null;
  const why = (r: typeof probe) => r.error?.message ?? r.stderr.trim();
  return `user namespaces unavailable to an unprivileged user (unshare: ${why(probe)}; bwrap: ${why(bwrap)}); install bubblewrap`;
}

/** Resolves true when VM tests can run; prints why and resolves false (or throws under CI) otherwise. */
export async function sandboxesAvailable(what: string): Promise<boolean> {
  const reason = namespacesUnavailable();
  return requireBackend(what, reason === null, reason ?? '');
}
