/**
 * The TypeScript SDK as its users get it: `npm pack` of packages/sdk installed into an empty
 * project, its quick start (the one docs/sdk-typescript.md shows) run from there against a real
 * node, and the examples (an agent's write-test-fix loop, a CI step) run as they are.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { gatewayKey } from '../support/gateway-keys.js';
import { runCommand } from '../support/run-command.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SDK_DIR = path.join(ROOT, 'packages/sdk');
const NPM = process.env.npm_execpath?.endsWith('.js')
  ? [process.execPath, process.env.npm_execpath]
  : ['npm'];

let node: TestNode;
let scratch: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  node = await startTestNode();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'aether-sdk-package-'));
  env = {
    ...process.env,
    AETHER_URL: node.url,
    AETHER_TOKEN: gatewayKey(node.url) ?? '',
    // Nothing of the developer's own credentials may be what makes it work.
    AETHER_CREDENTIALS_FILE: path.join(scratch, 'no-credentials.json'),
  };
}, 120_000);

afterAll(async () => {
  await node?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function vmsLeft(): Promise<string[]> {
  return (await node.client.listVms()).map((vm) => vm.name);
}

describe('npm pack of @aetherium/sdk', () => {
  it('installs into an empty project with nothing of the server, and its quick start runs there', async () => {
    expect(existsSync(path.join(SDK_DIR, 'dist/index.js')), 'packages/sdk/dist is built by `npm ci`').toBe(
      true,
    );
    const packed = await runCommand([...NPM, 'pack', '--json', '--pack-destination', scratch], {
      cwd: SDK_DIR,
      timeoutMs: 120_000,
    });
    expect(packed.code, packed.stderr).toBe(0);
    const [{ filename, files }] = JSON.parse(packed.stdout) as [
      { filename: string; files: { path: string }[] },
    ];
    // What ships: the build and the package's own files, no sources of the server, no tests.
    for (const { path: file } of files) expect(file).toMatch(/^(dist\/|package\.json$|README\.md$)/);
    expect(files.some((f) => f.path === 'dist/index.d.ts')).toBe(true);

    const project = path.join(scratch, 'empty-project');
    mkdirSync(project);
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'app', private: true, type: 'module' }),
    );
    const installed = await runCommand(
      [...NPM, 'install', '--no-audit', '--no-fund', '--prefer-offline', path.join(scratch, filename)],
      { cwd: project, timeoutMs: 180_000 },
    );
    expect(installed.code, installed.stderr).toBe(0);
    // Its whole dependency tree: the SDK and its WebSocket library, nothing else.
    expect(
      readdirSync(path.join(project, 'node_modules'))
        .filter((name) => !name.startsWith('.'))
        .sort(),
    ).toEqual(['@aetherium', 'ws']);

    const quickStart = readFileSync(path.join(SDK_DIR, 'examples/quickstart.mjs'), 'utf8');
    expect(readFileSync(path.join(ROOT, 'docs/sdk-typescript.md'), 'utf8')).toContain(quickStart.trim());
    writeFileSync(path.join(project, 'quickstart.mjs'), quickStart);
    const run = await runCommand([process.execPath, 'quickstart.mjs'], {
      cwd: project,
      env,
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('hello from Linux\n\n');
    expect(await vmsLeft()).toEqual([]);
  }, 300_000);
});

describe('the SDK examples', () => {
  it('agent loop: writes code, runs its tests, reads the failure, fixes it, and passes', async () => {
    const run = await runCommand([process.execPath, 'examples/agent-loop.mjs'], {
      cwd: SDK_DIR,
      env,
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('attempt 1: exit 1\nattempt 2: exit 0\nall tests passed\n');
    expect(await vmsLeft()).toEqual([]);
  }, 90_000);

  it('CI step: runs a project’s tests in a sandbox and exits with their status', async () => {
    const project = path.join(scratch, 'ci-project');
    mkdirSync(path.join(project, 'test'), { recursive: true });
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'p', scripts: { test: 'node test/t.mjs' } }),
    );
    writeFileSync(
      path.join(project, 'test/t.mjs'),
      "console.log('checked 2 things'); process.exit(Number(process.env.FAIL ?? 0))\n",
    );
    const passing = await runCommand([process.execPath, 'examples/ci.mjs', project], {
      cwd: SDK_DIR,
      env,
      timeoutMs: 60_000,
    });
    expect(passing.code, passing.stderr).toBe(0);
    expect(passing.stdout).toContain('checked 2 things');
    expect(passing.stdout).toContain('npm test: exited, exit 0');

    const failing = await runCommand(
      [process.execPath, 'examples/ci.mjs', project, 'sh', '-c', 'node test/t.mjs; exit 4'],
      { cwd: SDK_DIR, env, timeoutMs: 60_000 },
    );
    expect(failing.code).toBe(4);
    expect(failing.stdout).toContain('exit 4');
    expect(await vmsLeft()).toEqual([]);
  }, 120_000);
});
