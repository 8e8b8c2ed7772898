// Build for `npm ci` (prepare) and `npm run build`: compile TypeScript to dist/, copy the SQL
// migrations next to the compiled store, and bundle the guest agent into one file.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
cpSync(path.join(root, 'src/store/migrations'), path.join(root, 'dist/store/migrations'), { recursive: true });
// The guest kernel's config fragment, read at run time by `aether image kernel`.
cpSync(path.join(root, 'src/images/firecracker-kernel.config'), path.join(root, 'dist/images/firecracker-kernel.config'));
execFileSync(process.execPath, [path.join(root, 'scripts/build-agent.mjs')], { cwd: root, stdio: 'inherit' });
