// The memory baseline, in a process of its own: the embedded database opened exactly as
// `aether up` opens it — the built package's own openPglite on a fresh `<dataDir>/db`, then the
// migrations — and nothing else: no gateway, worker, queue or driver. Prints one line, then
// idles until SIGTERM: "ready migrated", or "ready opened: <why>" when this tree's migrate() does
// not take what its openPglite() returns (the figure then holds the opened database only).
// Plain JavaScript on the compiled package, so no TypeScript loader weighs on it.
// Usage: node bare-pglite.mjs <package dir> <data dir>
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [packageDir, dataDir] = process.argv.slice(2);
const compiled = (file) => pathToFileURL(path.join(packageDir, 'dist', file)).href;
const { openPglite } = await import(compiled('pglite/open-pglite.js'));
const { migrate } = await import(compiled('store/migrate.js'));

const dbDir = path.join(dataDir, 'db');
mkdirSync(dbDir, { recursive: true });
const db = await openPglite(dbDir);
try {
  await migrate({ pglite: db });
  process.stdout.write('ready migrated\n');
} catch (error) {
  const why = String(error?.message ?? error).split('\n')[0];
  process.stdout.write(`ready opened: migrations failed (${why})\n`);
}

const idle = setInterval(() => {}, 60_000);
process.once('SIGTERM', () => {
  clearInterval(idle);
  db.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
