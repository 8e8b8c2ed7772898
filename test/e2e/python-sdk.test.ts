/**
 * The Python SDK (python/) against real nodes: its pytest suite on the process driver; its wheel,
 * built and installed into a fresh virtualenv, running the docs' quick start and the examples;
 * and its snapshot tests on the qemu driver. Python is Debian's (/usr/bin/python3) with Debian's
 * httpx, websockets and pytest: `.ci/run` installs them, and a host without them skips saying so.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_DATA_DIR, qemuAvailable, requireBackend } from '../support/backends.js';
import { startTestNode, type TestNode, useTestNode } from '../support/embedded-node.js';
import { type CommandResult, runCommand } from '../support/run-command.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const PYTHON = '/usr/bin/python3';
const REPO = path.resolve(import.meta.dirname, '../..');
const SDK_DIR = path.join(REPO, 'python');
const APT_PACKAGES =
  'python3-httpx python3-websockets python3-pytest python3-pytest-asyncio python3-build python3-setuptools python3-wheel python3-venv mypy';

/** Debian's Python with the SDK's dependencies and the tools its tests use. */
async function pythonAvailable(): Promise<boolean> {
  const probe = await runCommand(
    [
      PYTHON,
      '-c',
      'import httpx, websockets, pytest, pytest_asyncio, build, setuptools, wheel, venv, ensurepip, mypy',
    ],
    { timeoutMs: 30_000 },
  ).catch((error: Error) => ({ code: 1, stderr: error.message }) as CommandResult);
  return requireBackend(
    'Python SDK',
    probe.code === 0,
    `${PYTHON} cannot import what the SDK and its tests need (${probe.stderr.trim().split('\n').pop()}); apt-get install ${APT_PACKAGES}`,
  );
}

const canRun = (await pythonAvailable()) && (await sandboxesAvailable('Python SDK'));
const node = useTestNode(canRun);

/** The child's environment: the node to use, and no bytecode files left in the repository. */
function pythonEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...extra };
  for (const name of ['AETHER_TOKEN', 'AETHER_TEST_SNAPSHOT_DRIVER', 'PYTHONPATH']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

function expectSuccess(result: CommandResult, what: string): void {
  expect(result.code, `${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`).toBe(0);
}

describe.skipIf(!canRun)('the Python SDK', () => {
  it('passes its pytest suite against a real node', { timeout: 360_000 }, async () => {
    const { url, node: running } = node();
    const result = await runCommand([PYTHON, '-m', 'pytest', 'python/tests', '-q'], {
      cwd: REPO,
      env: pythonEnv({ AETHER_URL: url, AETHER_TOKEN: running.localAdminKey ?? '' }),
      timeoutMs: 340_000,
    });
    expectSuccess(result, 'pytest python/tests');
    expect(result.stdout).toMatch(/\d+ passed/);
  });

  it('type-checks under mypy --strict (it ships py.typed, so its users check against it)', {
    timeout: 180_000,
  }, async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'aether-mypy-'));
    try {
      const result = await runCommand(
        [
          PYTHON,
          '-m',
          'mypy',
          '--strict',
          '--cache-dir',
          cache,
          'python/aetherium',
          'python/examples',
          'python/scripts',
        ],
        { cwd: REPO, env: pythonEnv({}), timeoutMs: 170_000 },
      );
      expectSuccess(result, 'mypy --strict');
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  describe('as a wheel installed into a fresh virtualenv', () => {
    let work = '';
    let venvPython = '';

    beforeAll(async () => {
      work = mkdtempSync(path.join(os.tmpdir(), 'aether-python-sdk-'));
      // Built from a copy: setuptools leaves build/ and *.egg-info beside the sources it builds.
      const source = path.join(work, 'source');
      cpSync(SDK_DIR, source, {
        recursive: true,
        filter: (from) => !/(__pycache__|\.egg-info|[/\\]build|[/\\]dist)$/.test(from),
      });
      const wheels = path.join(work, 'wheels');
      expectSuccess(
        await runCommand([PYTHON, '-m', 'build', '--wheel', '--no-isolation', source, '--outdir', wheels], {
          env: pythonEnv({}),
          timeoutMs: 150_000,
        }),
        'python -m build',
      );
      const wheel = readdirSync(wheels).find((name) => name.endsWith('.whl'));
      expect(wheel).toMatch(/^aetherium-0\.1\.0-py3-none-any\.whl$/);
      const venv = path.join(work, 'venv');
      expectSuccess(
        await runCommand([PYTHON, '-m', 'venv', '--system-site-packages', venv], { timeoutMs: 120_000 }),
        'python -m venv',
      );
      venvPython = path.join(venv, 'bin', 'python');
      expectSuccess(
        await runCommand([venvPython, '-m', 'pip', 'install', '--no-index', path.join(wheels, wheel!)], {
          env: pythonEnv({}),
          timeoutMs: 120_000,
        }),
        'pip install',
      );
    }, 400_000);

    afterAll(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });

    /** Runs a file of python/examples with the venv's Python, from outside the repository. */
    const runExample = (name: string, args: string[] = [], extra: Record<string, string> = {}) => {
      const { url, dataDir } = node();
      return runCommand([venvPython, path.join(SDK_DIR, 'examples', name), ...args], {
        cwd: work,
        // No AETHER_TOKEN: the SDK finds the key `aether up` saved, as on a developer's machine.
        env: pythonEnv({
          AETHER_URL: url,
          AETHER_CREDENTIALS_FILE: path.join(dataDir, 'credentials.json'),
          ...extra,
        }),
        timeoutMs: 120_000,
      });
    };

    it('is the installed package, typed (py.typed), and runs the quick start of the docs', async () => {
      const where = await runCommand(
        [venvPython, '-c', 'import aetherium, pathlib; print(aetherium.__file__, aetherium.__version__)'],
        { cwd: work, env: pythonEnv({}) },
      );
      expectSuccess(where, 'import aetherium');
      expect(where.stdout).toContain(path.join(work, 'venv'));
      expect(where.stdout.trim().endsWith(' 0.1.0')).toBe(true);
      const typed = await runCommand(
        [
          venvPython,
          '-c',
          'import aetherium, pathlib; print((pathlib.Path(aetherium.__file__).parent / "py.typed").exists())',
        ],
        { cwd: work, env: pythonEnv({}) },
      );
      expect(typed.stdout.trim()).toBe('True');

      const docs = readFileSync(path.join(REPO, 'docs', 'sdk-python.md'), 'utf8');
      const quickStart = readFileSync(path.join(SDK_DIR, 'examples', 'quickstart.py'), 'utf8');
      expect(docs).toContain(`\`\`\`python\n${quickStart}\`\`\``);
      expect(quickStart.trim().split('\n')).toHaveLength(5);

      const result = await runExample('quickstart.py');
      expectSuccess(result, 'examples/quickstart.py');
      expect(result.stdout).toBe('hello from the VM\nLinux\n\n');
    });

    it('runs the agent loop example: a failing test read, the code fixed, the tests green', async () => {
      const result = await runExample('agent_loop.py');
      expectSuccess(result, 'examples/agent_loop.py');
      expect(result.stdout).toContain('attempt 1: tests exited 1');
      expect(result.stdout).toContain('AssertionError: 3 != 2.5');
      expect(result.stdout).toContain('attempt 2: tests exited 0\ngreen: OK');
    });

    it('runs the CI example: a project uploaded, its tests run, their status as its own', async () => {
      const project = path.join(work, 'project');
      mkdirSync(path.join(project, 'pkg'), { recursive: true });
      writeFileSync(path.join(project, 'pkg', '__init__.py'), '');
      writeFileSync(path.join(project, 'pkg', 'greet.py'), 'def greet(name):\n    return f"hello {name}"\n');
      const test = (expected: string) =>
        `import unittest\nfrom pkg.greet import greet\n\nclass GreetTest(unittest.TestCase):\n    def test_greet(self):\n        self.assertEqual(greet("ci"), ${JSON.stringify(expected)})\n`;
      writeFileSync(path.join(project, 'test_greet.py'), test('hello ci'));
      const green = await runExample('ci.py', [project]);
      expectSuccess(green, 'examples/ci.py on a passing project');
      expect(green.stderr).toMatch(/test_greet .* ok/);

      writeFileSync(path.join(project, 'test_greet.py'), test('goodbye ci'));
      const red = await runExample('ci.py', [project]);
      expect(red.code, red.stderr).toBe(1);
      expect(red.stderr).toContain('FAILED (failures=1)');
    });
  });
});

const qemu = canRun && (await qemuAvailable());

describe.skipIf(!qemu)('the Python SDK on the qemu driver', () => {
  let qemuNode: TestNode | null = null;

  beforeAll(async () => {
    qemuNode = await startTestNode({
      AETHER_DRIVERS: 'process,qemu',
      AETHER_IMAGE_DIR: IMAGE_DATA_DIR,
      AETHER_CREATE_TIMEOUT_MS: '300000',
    });
  }, 120_000);

  afterAll(async () => {
    await qemuNode?.stop();
  });

  it('snapshots a VM and starts a copy with its files', { timeout: 600_000 }, async () => {
    const result = await runCommand([PYTHON, '-m', 'pytest', 'python/tests/test_snapshots.py', '-q'], {
      cwd: REPO,
      env: pythonEnv({
        AETHER_URL: qemuNode!.url,
        AETHER_TOKEN: qemuNode!.node.localAdminKey ?? '',
        AETHER_TEST_SNAPSHOT_DRIVER: 'qemu',
      }),
      timeoutMs: 580_000,
    });
    expectSuccess(result, 'pytest python/tests/test_snapshots.py');
    // Ran, not skipped.
    expect(result.stdout).toMatch(/1 passed/);
  });
});
