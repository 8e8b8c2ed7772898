import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, found from this file whether it runs from src/ or dist/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the package root');
    dir = parent;
  }
  return dir;
}

/** The guest agent bundle (one file, node: imports only), built by `npm ci` / `npm run build`. */
export function agentBundlePath(): string {
  return path.join(packageRoot(), 'dist', 'agent.js');
}

/** The built web dashboard the gateway serves: `configured` when set, else the package's own build. */
export function dashboardPath(configured: string): string {
  return configured ? path.resolve(configured) : path.join(packageRoot(), 'dist', 'dashboard');
}
