/**
 * Idle resident memory of `aether up` as a user starts it — default settings, one VM created
 * and left idle — next to a bare process that only opens the embedded database with the same
 * settings and migrates it (bare-pglite.mjs), measured in the same run. VmRSS of each process
 * alone: the VM's sandbox is a process of its own and not counted.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAetherUp } from './aether-up.js';
import { cliPackage } from './cli-package.js';
import { settledResidentKiB } from './proc-memory.js';

const BARE_PGLITE = fileURLToPath(new URL('./bare-pglite.mjs', import.meta.url));
const START_TIMEOUT_MS = 60_000;

export interface MemoryFigures {
  /** How long each process idled before it was read. */
  settleMs: number;
  aetherUpKiB: number;
  barePgliteKiB: number;
  /** What the bare process did: opened and migrated, or only opened (and why). */
  barePgliteState: string;
  warnings: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function aetherUpIdle(settleMs: number, log: (line: string) => void): Promise<[number, string[]]> {
  const node = await startAetherUp({}, log);
  let kib: number;
  try {
    const { vm } = await node.client.createVm({ name: 'bench-idle' }, { wait: true });
    if (vm.status !== 'running') throw new Error(`bench VM is ${vm.status}: ${vm.status_reason}`);
    log(`memory: aether up with one idle VM, settling ${settleMs} ms`);
    await sleep(settleMs);
    kib = await settledResidentKiB(node.pid);
  } catch (error) {
    for (const line of await node.stop()) log(`while stopping: ${line}`);
    throw error;
  }
  return [kib, await node.stop()];
}

async function barePgliteIdle(settleMs: number, log: (line: string) => void): Promise<[number, string]> {
  const { dir } = await cliPackage(log);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aether-bench-pglite-'));
  const child = spawn(process.execPath, [BARE_PGLITE, dir, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  try {
    const state = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bare PGlite did not open in time')), START_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const ready = /^ready (.*)\n/m.exec(output);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]!);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`bare PGlite exited (${code}):\n${output}`));
      });
    });
    log(`memory: bare PGlite ${state}, settling ${settleMs} ms`);
    await sleep(settleMs);
    return [await settledResidentKiB(child.pid!), state];
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchMemory(
  options: { settleMs: number },
  log: (line: string) => void,
): Promise<MemoryFigures> {
  const [aetherUpKiB, warnings] = await aetherUpIdle(options.settleMs, log);
  const [barePgliteKiB, barePgliteState] = await barePgliteIdle(options.settleMs, log);
  return { settleMs: options.settleMs, aetherUpKiB, barePgliteKiB, barePgliteState, warnings };
}
