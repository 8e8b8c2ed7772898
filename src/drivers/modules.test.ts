/**
 * Every driver of the build runs the one driver conformance suite: a driver module lives in
 * src/drivers/<name>/module.ts, and a test file beside it calls `describeDriverConformance`
 * with its name, imported from the suite.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeDriverConformance } from '../testing/conformance/drivers/driver-suite.js';
import { DRIVER_MODULES } from './modules.js';

const DRIVERS_DIR = path.dirname(fileURLToPath(import.meta.url));
const SUITE = path.resolve(DRIVERS_DIR, '../testing/conformance/drivers/driver-suite.ts');

/** The files `file` imports by relative path, resolved to their .ts sources. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((match) =>
    path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, '.ts')),
  );
}

describe('driver modules', () => {
  it('have one conformance suite to run', () => {
    expect(existsSync(SUITE)).toBe(true);
    expect(typeof describeDriverConformance).toBe('function');
  });

  for (const module of DRIVER_MODULES) {
    it(`${module.name}: its folder holds its module and a test running the conformance suite`, async () => {
      const folder = path.join(DRIVERS_DIR, module.name);
      const source = pathToFileURL(path.join(folder, 'module.ts')).href;
      const own = (await import(/* @vite-ignore */ source)) as Record<string, unknown>;
      expect(Object.values(own), `src/drivers/${module.name}/module.ts exports the listed module`).toContain(
        module,
      );
      const calls = new RegExp(`describeDriverConformance\\(\\s*'${module.name}'`);
      const runners = readdirSync(folder)
        .filter((name) => name.endsWith('.test.ts'))
        .map((name) => path.join(folder, name))
        .filter((file) => relativeImports(file).includes(SUITE) && calls.test(readFileSync(file, 'utf8')));
      expect(
        runners,
        `a test in src/drivers/${module.name}/ calls describeDriverConformance('${module.name}', ...)`,
      ).not.toEqual([]);
    });
  }
});
