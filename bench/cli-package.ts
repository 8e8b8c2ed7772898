/**
 * This checkout installed as a user has it — bin/aether.js, a fresh dist/ from
 * scripts/build.mjs, package.json and a link to node_modules — in a temporary directory. A
 * section that runs the `aether` binary so measures the sources as they are now, never a stale
 * dist/, and never touches the checkout's own dist/. Built once per bench run (a build takes
 * ~25 s) and removed when the run ends.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface CliPackage {
  /** The package root: `bin/`, `dist/`, `package.json`, `node_modules`. */
  dir: string;
  /** `bin/aether.js` of the package: run it with `node`. */
  bin: string;
}

let built: Promise<CliPackage> | null = null;

function run(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // tsc prints its errors on stdout: keep the end of both streams for the failure message.
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (data: Buffer) => {
      output = (output + data.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${argv.slice(1).join(' ')} exited ${code}:\n${output}`)),
    );
  });
}

async function build(log: (line: string) => void): Promise<CliPackage> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aether-bench-pkg-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  // The agent bundle in dist/ must be readable by the unprivileged sandbox uid when the bench
  // runs as root; otherwise the process driver would copy it (and the VM files) elsewhere.
  chmodSync(dir, 0o711);
  log('building the CLI (scripts/build.mjs) into a package of its own');
  await run([process.execPath, path.join(ROOT, 'scripts/build.mjs'), '--out-dir', path.join(dir, 'dist')]);
  mkdirSync(path.join(dir, 'bin'));
  copyFileSync(path.join(ROOT, 'bin/aether.js'), path.join(dir, 'bin/aether.js'));
  // The runtime finds its package root (and the agent bundle) by this file.
  copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir, bin: path.join(dir, 'bin/aether.js') };
}

/** The package, built on the first call of the run. */
export function cliPackage(log: (line: string) => void): Promise<CliPackage> {
  built ??= build(log);
  return built;
}
