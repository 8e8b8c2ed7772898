#!/usr/bin/env node
// Bundles the guest agent (src/agent/main.ts: node: builtins, src/protocol, src/core) into one ESM
// file, dist/agent.js. Drivers place it in the guest under a `.mjs` name so Node loads it as ESM
// without a package.json beside it. Usage: node scripts/build-agent.mjs [--outfile PATH]
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const flag = process.argv.indexOf('--outfile');
const outfile = flag >= 0 ? resolve(process.argv[flag + 1]) : resolve(root, 'dist/agent.js');

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/agent/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Debian bookworm's guest images carry Node 18.
  target: 'node18',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  write: false,
});

// The agent runs inside every guest with nothing but Node: a dependency that sneaks in breaks it.
const inputs = Object.keys(result.metafile.inputs);
const allowed = ['src/agent/', 'src/protocol/', 'src/core/'];
const foreign = inputs.filter((input) => !allowed.some((prefix) => input.startsWith(prefix)));
if (foreign.length > 0) {
  console.error(`agent bundle pulled in modules outside ${allowed.join(', ')}: ${foreign.join(', ')}`);
  process.exit(1);
}

// Write then rename: a VM booting while we rebuild must never read half a file.
const [output] = result.outputFiles;
mkdirSync(dirname(outfile), { recursive: true });
const temporary = `${outfile}.${process.pid}.tmp`;
writeFileSync(temporary, output.contents);
renameSync(temporary, outfile);
console.log(`built ${relative(root, outfile) || outfile} (${output.contents.length} bytes, ${inputs.length} modules)`);
