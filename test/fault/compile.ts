/**
 * A compiled copy of the working tree's CLI for the fault test's processes, laid out like the
 * package (package.json, src/, dist/agent.js, node_modules) under the run dir. Workers restart 20
 * times within a heartbeat grace of a few seconds: starting them through tsx costs about a second
 * more per start than compiled JavaScript (several seconds on a busy 2-core machine), and dist/
 * may be older than the code under test. esbuild transpiles each file on its own (no bundling),
 * as tsc would, so module boundaries and `import.meta.url` lookups stay as in dist/.
 */
import { copyFileSync, cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

function sources(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      // src/testing (suites, fakes) is left out, as the build leaves it out.
      if (entry.name !== 'testing') found.push(...sources(full));
    } else if (
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.test.ts') &&
      !entry.name.endsWith('.d.ts')
    ) {
      found.push(full);
    }
  }
  return found;
}

/** Compiles `<root>/src` into `<outDir>` and returns the CLI entry file to run with node. */
export async function compileCli(root: string, outDir: string): Promise<string> {
  const srcDir = path.join(root, 'src');
  mkdirSync(outDir, { recursive: true, mode: 0o755 });
  await build({
    absWorkingDir: root,
    entryPoints: sources(srcDir),
    outdir: path.join(outDir, 'src'),
    outbase: srcDir,
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  cpSync(path.join(srcDir, 'store/migrations'), path.join(outDir, 'src/store/migrations'), {
    recursive: true,
  });
  copyFileSync(path.join(root, 'package.json'), path.join(outDir, 'package.json'));
  symlinkSync(path.join(root, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
  // The guest agent bundle (built fresh by the vitest globalSetup); a copy, as sandboxes bind-mount it.
  mkdirSync(path.join(outDir, 'dist'), { recursive: true, mode: 0o755 });
  copyFileSync(path.join(root, 'dist/agent.js'), path.join(outDir, 'dist/agent.js'));
  const entry = path.join(outDir, 'cli-entry.mjs');
  writeFileSync(entry, "import { main } from './src/cli/main.js';\n\nawait main(process.argv.slice(2));\n");
  return entry;
}
