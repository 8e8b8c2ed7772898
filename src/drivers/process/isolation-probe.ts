/**
 * Which tool can build a sandbox here. We boot a real (throw-away) sandbox with each candidate,
 * so every restriction shows up — user namespaces disabled, AppArmor denying mounts in them
 * (Ubuntu ≥ 23.10), missing binaries — and never fall back to running without isolation.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AetherError } from '../../core/errors.js';
import { probeSandbox } from './boot.js';
import { buildFstab, sandboxCommand } from './sandbox-command.js';
import type { IsolationTool, ResolvedProcessSettings } from './settings.js';
import { sandboxTag, VmDir } from './vm-dir.js';

const PROBE_TIMEOUT_MS = 10_000;

async function probe(settings: ResolvedProcessSettings, tool: IsolationTool): Promise<string | null> {
  const dir = new VmDir(join(settings.stateDir, 'probe'), `p-${randomUUID()}`);
  try {
    await dir.create({ id: dir.id, name: 'probe', vcpus: 1, memoryMiB: 64 }, settings.sandboxIds);
    const paths = {
      root: dir.root,
      home: dir.home,
      run: dir.run,
      fstab: dir.fstab,
      node: settings.nodePath,
      agent: settings.agentPath,
    };
    await dir.writeFstab(buildFstab(paths));
    const toolCommand = tool === 'unshare' ? settings.unshareCommand : settings.bwrapCommand;
    return await probeSandbox(
      sandboxCommand(tool, toolCommand, paths, ['true'], sandboxTag(randomBytes(16).toString('hex'))),
      settings.sandboxIds,
      PROBE_TIMEOUT_MS,
    );
  } finally {
    await dir.remove().catch(() => {});
  }
}

/** Resolves the tool to use, or throws ERR_ISOLATION_UNAVAILABLE saying how to fix the host. */
export async function detectIsolationTool(settings: ResolvedProcessSettings): Promise<IsolationTool> {
  const candidates: IsolationTool[] =
    settings.isolationTool === 'auto' ? ['unshare', 'bwrap'] : [settings.isolationTool];
  const failures: string[] = [];
  for (const tool of candidates) {
    const failure = await probe(settings, tool);
    if (failure === null) return tool;
    failures.push(`${tool}: ${failure.slice(0, 500)}`);
  }
  throw new AetherError(
    'ERR_ISOLATION_UNAVAILABLE',
    `the process driver cannot create namespaces on this host (${failures.join('; ')}). ` +
      'Install bubblewrap (apt-get install bubblewrap), or allow unprivileged user namespaces ' +
      '(Ubuntu ≥ 23.10: sysctl kernel.apparmor_restrict_unprivileged_userns=0; older Debian: ' +
      'sysctl kernel.unprivileged_userns_clone=1). It never runs workloads without isolation.',
  );
}
