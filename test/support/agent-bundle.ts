/**
 * Vitest globalSetup: bundles the guest agent once before any test runs, so tests never depend
 * on a manual `npm run build:agent`. Tests read the bundle's path with `inject('agentBundlePath')`
 * (or `agentBundlePath()` below, which falls back to the default location).
 */
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_AGENT_BUNDLE = resolve(root, 'dist/agent.js');

declare module 'vitest' {
  export interface ProvidedContext {
    agentBundlePath: string;
  }
}

export default function setup(project: TestProject): void {
  execFileSync(
    process.execPath,
    [resolve(root, 'scripts/build-agent.mjs'), '--outfile', DEFAULT_AGENT_BUNDLE],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  project.provide('agentBundlePath', DEFAULT_AGENT_BUNDLE);
}
