// Keeps package-lock.json installable with `npm ci` where the registry lacks some platform
// builds (optional packages such as @biomejs/cli-darwin-arm64): npm leaves those packages out of
// the lock but keeps the edges that point at them, and `npm ci` then refuses the lock as out of
// sync. This drops optional edges whose package is not in the lock. Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const present = new Set(Object.keys(lock.packages).map((key) => key.replace(/^.*node_modules\//, '')));
let dropped = 0;
for (const entry of Object.values(lock.packages)) {
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    if (present.has(name)) continue;
    delete entry.optionalDependencies[name];
    dropped++;
  }
  if (entry.optionalDependencies && Object.keys(entry.optionalDependencies).length === 0) delete entry.optionalDependencies;
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`prune-lock: dropped ${dropped} optional edges to packages the registry does not have`);
