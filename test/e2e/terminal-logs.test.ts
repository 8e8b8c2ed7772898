/**
 * `aether up` as a person starts it, on a real terminal (a pseudo-terminal made by util-linux
 * `script`), and as a collector starts it, piped: human log lines on the terminal, JSON lines
 * when piped or when `--log-format json` asks, and no line printed twice.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { requireBackend } from '../support/backends.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const canRun =
  (await sandboxesAvailable('aether up on a terminal')) &&
  (await requireBackend('pseudo-terminal', hasScript, '`script` is missing; install bsdutils (util-linux)'));

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'test/support/cli-entry.ts');
/** By path: the CLI runs in a temporary directory, where `--import tsx` would not resolve. */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
/** Shown once the node is up; the driver reports its isolation as the warm pool fills. */
const READY = /process driver isolation ready/;
/** A log line as the pretty formatter writes it: `12:04:05.123 INFO  up  message …`. */
const PRETTY_LINE = /^\d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) up {2}\S/;

/** The environment of a fresh shell (none of the test run's settings) and a data dir of its own. */
function nodeEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('AETHER_') || key === 'DATABASE_URL' || key === 'REDIS_URL') continue;
    env[key] = value;
  }
  return {
    ...env,
    AETHER_DATA_DIR: path.join(dir, 'data'),
    AETHER_PORT: '0',
    AETHER_CREDENTIALS_FILE: path.join(dir, 'credentials.json'),
    TERM: 'xterm-256color',
    ...extra,
  };
}

/** The test's own words (paths, flags) as one sh command line, each quoted whole. */
function shellWords(words: readonly string[]): string {
  return words.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
}

/**
 * Runs `aether up ARGS` until it is ready and a moment more (a line printed twice would show by
 * then), then stops it as a person would (Ctrl-C on the terminal, SIGINT when piped). Resolves
 * with everything it wrote, carriage returns and colours removed.
 */
async function runUp(
  how: 'terminal' | 'piped',
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aether-terminal-'));
  // Reachable by the unprivileged sandbox uid when tests run as root, as in embedded-node.ts.
  chmodSync(dir, 0o711);
  const argv = [process.execPath, '--import', TSX, ENTRY, 'up', ...args];
  let child: ChildProcessWithoutNullStreams;
  let stop: () => void;
  if (how === 'terminal') {
    // `script` runs one shell command line on a new pseudo-terminal; Ctrl-C typed into it
    // reaches the node as SIGINT, as on any terminal.
    child = spawn('script', ['-q', '-e', '-E', 'never', '-c', `exec ${shellWords(argv)}`, '/dev/null'], {
      cwd: dir,
      env: nodeEnv(dir, { SHELL: '/bin/sh' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    stop = () => child.stdin.write('\x03');
  } else {
    child = spawn(argv[0]!, argv.slice(1), { cwd: dir, env: nodeEnv(dir), stdio: ['pipe', 'pipe', 'pipe'] });
    stop = () => child.kill('SIGINT');
  }
  let stdout = '';
  let stderr = '';
  let stopping = false;
  const onOutput = () => {
    if (stopping || !READY.test(stdout + stderr)) return;
    stopping = true;
    setTimeout(stop, 1500);
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    onOutput();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onOutput();
  });
  // Never left running: stop it, then insist (a second Ctrl-C or SIGINT forces the exit).
  const deadline = setTimeout(() => {
    stop();
    setTimeout(stop, 2000);
  }, 60_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    const clean = (text: string) => stripVTControlCharacters(text).replaceAll('\r', '');
    return { code, stdout: clean(stdout), stderr: clean(stderr) };
  } finally {
    clearTimeout(deadline);
    rmSync(dir, { recursive: true, force: true });
  }
}

function logLines(output: string): string[] {
  return output.split('\n').filter((line) => PRETTY_LINE.test(line) || line.startsWith('{'));
}

describe.skipIf(!canRun)('aether up on a terminal and piped', () => {
  it('writes human log lines on a terminal, each once, between its human start-up summary', async () => {
    const run = await runUp('terminal', []);
    const context = run.stdout;
    expect(run.code, context).toBe(0);
    expect(run.stdout, context).toMatch(/^aether up\n {2}store: /m);
    expect(run.stdout, context).toMatch(/^Ctrl-C stops it/m);
    const lines = logLines(run.stdout);
    expect(
      lines.filter((line) => line.startsWith('{')),
      context,
    ).toEqual([]);
    expect(
      lines.filter((line) => READY.test(line)),
      context,
    ).toHaveLength(1);
    expect(
      lines.some((line) => / shutting down /.test(line)),
      context,
    ).toBe(true);
    // The same message with the same fields, twice, is one event printed twice.
    const withoutTime = lines.map((line) => line.slice(13));
    expect(
      withoutTime.filter((line, i) => withoutTime.indexOf(line) !== i),
      context,
    ).toEqual([]);
  }, 90_000);

  it('writes JSON lines on a terminal when --log-format json asks', async () => {
    const run = await runUp('terminal', ['--log-format', 'json']);
    const context = run.stdout;
    expect(run.code, context).toBe(0);
    expect(run.stdout, context).toMatch(/^Ctrl-C stops it/m);
    const json = run.stdout.split('\n').filter((line) => line.startsWith('{'));
    const ready = json.map((line) => JSON.parse(line) as { msg: string }).filter((l) => READY.test(l.msg));
    expect(ready, context).toHaveLength(1);
    expect(
      run.stdout.split('\n').filter((line) => PRETTY_LINE.test(line)),
      context,
    ).toEqual([]);
  }, 90_000);

  it('writes JSON lines on stderr when piped, and keeps stdout for the summary', async () => {
    const run = await runUp('piped', []);
    const context = JSON.stringify(run);
    expect(run.code, context).toBe(0);
    expect(run.stdout, context).toMatch(/^aether up\n/);
    expect(run.stdout, context).not.toContain('{');
    const lines = run.stderr.split('\n').filter((line) => line !== '');
    expect(lines.length, context).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
  }, 90_000);
});
