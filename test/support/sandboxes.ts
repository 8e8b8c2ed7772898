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

function probeTool(tool: 'unshare' | 'bwrap') {
  const args =
    tool === 'unshare'
      ? ['--user', '--map-root-user', '--mount', '--pid', '--fork', '--net', 'true']
      : ['--unshare-user', '--ro-bind', '/', '/', 'true'];
  return spawnSync(tool, args, {
    encoding: 'utf8',
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    ...SANDBOX_IDS,
  });
}

/** The isolation tools that can make sandboxes here, for the unprivileged sandbox user. */
export function workingIsolationTools(): ('unshare' | 'bwrap')[] {
  return (['unshare', 'bwrap'] as const).filter((tool) => probeTool(tool).status === 0);
}

/** Null when the host can make the sandboxes, else the reason it cannot. */
export function namespacesUnavailable(): string | null {
  const probe = probeTool('unshare');
  if (probe.status === 0) return null;
  const bwrap = probeTool('bwrap');
  if (bwrap.status === 0) return null;
  const why = (r: typeof probe) => r.error?.message ?? r.stderr.trim();
  return `user namespaces unavailable to an unprivileged user (unshare: ${why(probe)}; bwrap: ${why(bwrap)}); install bubblewrap`;
}

/** Resolves true when VM tests can run; prints why and resolves false (or throws under CI) otherwise. */
export async function sandboxesAvailable(what: string): Promise<boolean> {
  const reason = namespacesUnavailable();
  return requireBackend(what, reason === null, reason ?? '');
}
