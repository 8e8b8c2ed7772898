/**
 * Vitest globalSetup: bundles the guest agent once before any test runs, so tests never depend
 * on a manual `npm run build:agent`. Tests read the bundle's path with `inject('agentBundlePath')`.
 *
 * Run as root, sandboxes run as an unprivileged uid, which cannot read a bundle inside a private
 * checkout (under /root, or a mkdtemp directory): then, as `aether up` does, tests get a copy
 * under /var/lib/aether, made by the process driver's own `copyAgentBundle` and removed after.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { copyAgentBundle, hiddenFromOthers, ROOT_SANDBOX_BASE } from '../../src/drivers/process/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_AGENT_BUNDLE = resolve(root, 'dist/agent.js');

declare module 'vitest' {
  export interface ProvidedContext {
    agentBundlePath: string;
  }
}

export default function setup(project: TestProject): () => void {
  execFileSync(
    process.execPath,
    [resolve(root, 'scripts/build-agent.mjs'), '--outfile', DEFAULT_AGENT_BUNDLE],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  let copyDir: string | null = null;
  let bundle = DEFAULT_AGENT_BUNDLE;
  if (process.getuid?.() === 0 && hiddenFromOthers(bundle, { read: true })) {
    mkdirSync(ROOT_SANDBOX_BASE, { recursive: true, mode: 0o711 });
    copyDir = mkdtempSync(join(ROOT_SANDBOX_BASE, 'test-agent-'));
    bundle = copyAgentBundle(DEFAULT_AGENT_BUNDLE, copyDir);
  }
  project.provide('agentBundlePath', bundle);
  return () => {
    if (copyDir) rmSync(copyDir, { recursive: true, force: true });
  };
}
