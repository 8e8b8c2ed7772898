#!/usr/bin/env node
// Entry point of the `aether` binary; the compiled CLI lives in dist/ (built by `npm ci`).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('aether: dist/ is missing; run `npm ci` (or `npm run build`) first\n');
  process.exit(1);
}
const { main } = await import(compiled.href);
await main(process.argv.slice(2));
