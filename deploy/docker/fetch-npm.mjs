// Fetches one npm release from the registry into a directory, checked against its published
// sha512 before anything of it runs. The build stage uses it because Debian's nodejs comes
// without npm, and Debian's own npm package (9.x) neither honours package.json's
// `allowScripts` nor matches the npm the lockfile was written with.
// Usage: node fetch-npm.mjs VERSION SHA512-INTEGRITY DEST_DIR
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [version, integrity, dest] = process.argv.slice(2);
if (!version || !integrity?.startsWith('sha512-') || !dest) {
  console.error('usage: node fetch-npm.mjs VERSION sha512-INTEGRITY DEST_DIR');
  process.exit(2);
}
const url = `https://registry.npmjs.org/npm/-/npm-${version}.tgz`;
const response = await fetch(url);
if (!response.ok) {
  console.error(`${url}: HTTP ${response.status}`);
  process.exit(1);
}
const tarball = Buffer.from(await response.arrayBuffer());
const actual = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
if (actual !== integrity) {
  console.error(`${url}: integrity ${actual} is not the pinned ${integrity}`);
  process.exit(1);
}
const file = path.join(dest, `npm-${version}.tgz`);
mkdirSync(dest, { recursive: true });
writeFileSync(file, tarball);
execFileSync('tar', ['-xzf', file, '-C', dest, '--strip-components=1'], { stdio: 'inherit' });
rmSync(file);
console.log(`npm ${version} in ${dest}`);
