/**
 * What the build ships, and what the built CLI loads. The build runs as `npm ci` runs it
 * (scripts/build.mjs), into a directory of its own so the checkout's dist/ is left alone; then
 * the test lists it file by file, and runs its CLI with a module trace.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardSize, FIRST_PAGE_BUDGET } from '../../scripts/dashboard-size.mjs';
import { runCommand } from '../support/run-command.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TRACE_HOOK = path.join(ROOT, 'test/support/module-trace.mjs');

let outDir = '';
let files: string[] = [];

beforeAll(async () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'aether-build-'));
  outDir = path.join(parent, 'dist');
  const build = await runCommand([process.execPath, 'scripts/build.mjs', '--out-dir', outDir], {
    cwd: ROOT,
    timeoutMs: 300_000,
  });
  expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0);
  files = readdirSync(outDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(outDir, path.join(entry.parentPath, entry.name)))
    .sort();
  // Laid out as an install: bin/aether.js runs ../dist, and packages resolve from node_modules.
  mkdirSync(path.join(parent, 'bin'));
  copyFileSync(path.join(ROOT, 'bin/aether.js'), path.join(parent, 'bin/aether.js'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(parent, 'node_modules'), 'dir');
}, 300_000);

afterAll(() => {
  if (outDir) rmSync(path.dirname(outDir), { recursive: true, force: true });
});

describe('the build', () => {
  it('ships the CLI, the runtime, the agent bundle and the migrations', () => {
    expect(files).toContain('cli/main.js');
    expect(files).toContain('runtime/node.js');
    expect(files).toContain('drivers/firecracker/firecracker-driver.js');
    expect(files).toContain('agent.js');
    expect(files).toContain('pglite/pglite-thread-entry.mjs');
    expect(files.some((file) => file.startsWith('store/migrations/') && file.endsWith('.sql'))).toBe(true);
  });

  it('ships no test code: no suite, fake, fixture, bench or test file', () => {
    const testCode = files.filter(
      (file) =>
        file.startsWith('testing/') ||
        /(^|\/)(conformance|bench)\//.test(file) ||
        /(^|\/)fake-[^/]*$/.test(file) ||
        /-suite\.js$/.test(file) ||
        /\.test\.[^/]+$/.test(file),
    );
    expect(testCode).toEqual([]);
  });
});

describe('the dashboard bundle', () => {
  it('is built at install, with hashed assets and no source maps', () => {
    expect(files).toContain('dashboard/index.html');
    expect(files.some((file) => /^dashboard\/assets\/index-[\w-]+\.js$/.test(file))).toBe(true);
    expect(files.filter((file) => file.startsWith('dashboard/') && file.endsWith('.map'))).toEqual([]);
  });

  it('keeps its first page under 300 KB of gzip; the terminal and charts load later', () => {
    const size = dashboardSize(path.join(outDir, 'dashboard'));
    expect(size.firstPage).toBeLessThan(FIRST_PAGE_BUDGET);
    // xterm.js is the heaviest part: it must not be on the first page.
    const firstPageText = size.firstPageFiles.map((file) =>
      readFileSync(path.join(outDir, 'dashboard', file), 'utf8'),
    );
    expect(firstPageText.some((text) => text.includes('xterm-helper-textarea'))).toBe(false);
  });

  it('has no inline script (the CSP allows none)', () => {
    const html = readFileSync(path.join(outDir, 'dashboard/index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});

describe('the built node', () => {
  it('opens its embedded database on its own thread: `aether migrate`', async () => {
    const dataDir = path.join(path.dirname(outDir), 'data');
    const { code, stdout, stderr } = await runCommand(
      [process.execPath, path.join(path.dirname(outDir), 'bin/aether.js'), 'migrate'],
      { env: { ...process.env, AETHER_DATA_DIR: dataDir, DATABASE_URL: '' }, timeoutMs: 120_000 },
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`migrated the embedded database in ${path.join(dataDir, 'db')}`);
  }, 120_000);
});

/**
 * Runs the built `aether ARGS` (against a gateway address nobody listens on) and returns what it
 * printed and the modules it loaded, those of the build relative to it.
 */
async function runTraced(args: string[]): Promise<{ output: string; loaded: string[] }> {
  const trace = path.join(path.dirname(outDir), `trace-${args.join('-')}.txt`);
  const bin = path.join(path.dirname(outDir), 'bin/aether.js');
  const { stdout, stderr } = await runCommand([process.execPath, '--import', TRACE_HOOK, bin, ...args], {
    env: { ...process.env, MODULE_TRACE_FILE: trace, AETHER_URL: 'http://127.0.0.1:9', AETHER_TOKEN: 'x' },
  });
  const loaded = readFileSync(trace, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((url) => (url.startsWith('file:') ? path.relative(outDir, fileURLToPath(url)) : url));
  return { output: stdout + stderr, loaded };
}

/** Server code a client command must not load: ours, and the packages only the node needs. */
const SERVER_CODE =
  /^(runtime|gateway|worker|service|store|queue|events|drivers|images|network|pglite|integrations|metrics|logs|cli\/server-commands)\/|node_modules\/(@electric-sql\/pglite|fastify|bullmq|ioredis|pg|dockerode|drizzle-orm|pino|prom-client)\//;

describe('the built CLI', () => {
  it.each([
    ['--version', /^\d+\.\d+\.\d+/],
    ['vm ls', /ERR_GATEWAY_UNREACHABLE/],
    ['worker ls', /ERR_GATEWAY_UNREACHABLE/],
  ])('`aether %s` loads no server code', async (command, answer) => {
    const { output, loaded } = await runTraced(command.split(' '));
    expect(output).toMatch(answer);
    expect(loaded).toContain('cli/main.js');
    expect(loaded.filter((module) => SERVER_CODE.test(module))).toEqual([]);
  });
});
