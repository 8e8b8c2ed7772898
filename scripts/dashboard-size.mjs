// What the dashboard weighs over the wire: the first page (index.html and every script, style
// and preload it names, so what a browser fetches before the first paint) and each chunk loaded
// later (the terminal, the charts). Gzip at level 9, as the figures `npm run build` prints.
// Usage: node scripts/dashboard-size.mjs [DIR]   (default dist/dashboard)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The first page's budget, in bytes of gzip. */
export const FIRST_PAGE_BUDGET = 300 * 1024;

const gzipped = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

/** @returns {{ firstPage: number, firstPageFiles: string[], later: Record<string, number> }} */
export function dashboardSize(dir) {
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const named = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((match) => match[1]);
  const firstPageFiles = ['index.html', ...new Set(named)];
  const firstPage = firstPageFiles.reduce((sum, file) => sum + gzipped(path.join(dir, file)), 0);
  const later = {};
  for (const file of readdirSync(path.join(dir, 'assets'))) {
    if (!firstPageFiles.includes(`assets/${file}`)) later[`assets/${file}`] = gzipped(path.join(dir, 'assets', file));
  }
  return { firstPage, firstPageFiles, later };
}

export function describeSize({ firstPage, later }) {
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const lazy = Object.values(later).reduce((sum, bytes) => sum + bytes, 0);
  return `dashboard: first page ${kb(firstPage)} gzip (budget ${kb(FIRST_PAGE_BUDGET)}); loaded later: ${kb(lazy)} in ${Object.keys(later).length} files`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const size = dashboardSize(path.resolve(process.argv[2] ?? path.join(root, 'dist/dashboard')));
  console.log(describeSize(size));
  for (const [file, bytes] of Object.entries(size.later)) console.log(`  ${file}  ${(bytes / 1024).toFixed(1)} KB`);
}
