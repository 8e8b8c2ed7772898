// Build for `npm ci` (prepare) and `npm run build`: compile TypeScript to dist/, copy the SQL
// migrations next to the compiled store, bundle the guest agent into one file, and build the web
// dashboard into dist/dashboard (served by the gateway at `/`). Test code
// (src/testing, *.test.ts) is left out by tsconfig.build.json.
// Usage: node scripts/build.mjs [--out-dir DIR]   (default dist/; tests build elsewhere to list it)
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeSize, dashboardSize } from './dashboard-size.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flag = process.argv.indexOf('--out-dir');
const outDir = flag >= 0 ? path.resolve(process.argv[flag + 1]) : path.join(root, 'dist');
rmSync(outDir, { recursive: true, force: true });
// The SDK first: the CLI imports it as a package (@aetherium/sdk, its dist/).
const sdkDir = path.join(root, 'packages/sdk');
rmSync(path.join(sdkDir, 'dist'), { recursive: true, force: true });
execFileSync(
  process.execPath,
  [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(sdkDir, 'tsconfig.build.json')],
  { cwd: sdkDir, stdio: 'inherit' },
);
execFileSync(
  process.execPath,
  [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
  { cwd: root, stdio: 'inherit' },
);
cpSync(path.join(root, 'src/store/migrations'), path.join(outDir, 'store/migrations'), { recursive: true });
// The embedded database thread's entry: plain JavaScript, which tsc does not copy.
cpSync(path.join(root, 'src/pglite/pglite-thread-entry.mjs'), path.join(outDir, 'pglite/pglite-thread-entry.mjs'));
// The guest kernel's config fragment, read at run time by `aether image kernel`.
cpSync(path.join(root, 'src/images/firecracker-kernel.config'), path.join(outDir, 'images/firecracker-kernel.config'));
execFileSync(
  process.execPath,
  [path.join(root, 'scripts/build-agent.mjs'), '--outfile', path.join(outDir, 'agent.js')],
  { cwd: root, stdio: 'inherit' },
);
// The dashboard: Vite bundles packages/dashboard into dist/dashboard and prints each file's gzip size.
execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
  cwd: path.join(root, 'packages/dashboard'),
  stdio: 'inherit',
  env: { ...process.env, DASHBOARD_OUT_DIR: path.join(outDir, 'dashboard') },
});
console.log(describeSize(dashboardSize(path.join(outDir, 'dashboard'))));
