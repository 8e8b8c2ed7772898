/**
 * An `aether up` node as a user runs it: its own process (`node bin/aether.js up`, the binary
 * `npm start` runs, built from this checkout), a fresh data dir, a free loopback port, default
 * settings otherwise, and the admin key it saves in its credentials file. The bench's clients
 * then share neither its event loop nor its CPU accounting.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AetherClient } from '@aetherium/sdk';
import { findGatewayKey } from '../src/core/credentials-file.js';
import { childEnv, freePort } from './child-env.js';
import { cliPackage } from './cli-package.js';
import { residentKiB } from './proc-memory.js';
import { killLeftoverSandboxes } from './sandbox-leftovers.js';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 40_000;
/** The last line of the start-up banner (src/cli/server-commands/serve.ts). */
const STARTED_LINE = 'Ctrl-C stops it';

export interface AetherUp {
  pid: number;
  url: string;
  /** Authenticated with the local admin key the node saved on start. */
  client: AetherClient;
  /** That key, for requests the typed client does not make (raw byte streams). */
  token: string | undefined;
  /** Where the process driver keeps VM files (`<stateDir>/vms/<id>/home` is a VM's home). */
  stateDir: string;
  /** VmRSS of the node's process in KiB: sandboxes are processes of their own, not counted. */
  residentKiB(): number;
  /**
   * Deletes the VMs it holds, sends one SIGTERM and waits for the exit, then checks that no
   * sandbox outlived it. Returns what went wrong, one line each (empty when nothing did).
   */
  stop(): Promise<string[]>;
}

/** Where the banner says the process driver keeps VM files; `<dataDir>/process` by default. */
function stateDirFrom(banner: string, dataDir: string): string {
  const match = /process driver: VM files in (\S+?)(?: \(|;)/.exec(banner);
  return match?.[1] ?? path.join(dataDir, 'process');
}

function untilStarted(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`aether up did not start in ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    const onData = () => {
      if (output().includes(STARTED_LINE)) done();
    };
    const onExit = (code: number | null) =>
      done(new Error(`aether up exited (${code}) on start:\n${output()}`));
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Starts `aether up` with `env` on top of the defaults; waits until it serves and has its key.
 * `nodeArgs` go to node before the binary (`--cpu-prof`, which NODE_OPTIONS does not take).
 */
export async function startAetherUp(
  env: Record<string, string>,
  log: (line: string) => void,
  nodeArgs: string[] = [],
): Promise<AetherUp> {
  const { bin } = await cliPackage(log);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aether-bench-up-'));
  // Reachable by the unprivileged sandbox uid when the bench runs as root, so VM files stay here.
  chmodSync(dataDir, 0o711);
  const credentials = path.join(dataDir, 'credentials.json');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...nodeArgs, bin, 'up'], {
    env: childEnv({
      AETHER_DATA_DIR: dataDir,
      AETHER_PORT: String(port),
      // The admin key goes into the bench's own directory, never the user's home.
      AETHER_CREDENTIALS_FILE: credentials,
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let tail = '';
  child.stdout.on('data', (chunk: Buffer) => {
    // The banner is short; past it only the tail is kept.
    if (stdout.length < 16_000) stdout += chunk.toString();
    tail = (tail + chunk.toString()).slice(-4000);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Should the bench itself die, the node goes with it; its sandboxes are then reaped on the next start.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const cleanUp = (stateDir: string) => {
    process.off('exit', killOnExit);
    rmSync(dataDir, { recursive: true, force: true });
    // As root with a data dir the sandbox uid cannot enter, the driver keeps VM files in a
    // directory of its own, named after this (fresh) data dir: ours too.
    if (!stateDir.startsWith(`${dataDir}${path.sep}`)) rmSync(stateDir, { recursive: true, force: true });
  };

  try {
    await untilStarted(child, () => `${stdout}${tail}`);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    const stateDir = stateDirFrom(stdout, dataDir);
    await killLeftoverSandboxes(stateDir);
    cleanUp(stateDir);
    throw error;
  }
  const stateDir = stateDirFrom(stdout, dataDir);
  const key = findGatewayKey(credentials, url);
  const client = new AetherClient({ baseUrl: url, ...(key ? { token: key } : {}) });
  log(`aether up (pid ${child.pid}) on ${url}, data dir ${dataDir}`);

  return {
    pid: child.pid!,
    url,
    client,
    token: key ?? undefined,
    stateDir,
    residentKiB: () => residentKiB(child.pid!),
    async stop() {
      const problems: string[] = [];
      // VMs outlive their node by design: delete them first, so no sandbox is left running.
      const vms = await client.listVms().catch(() => []);
      for (const vm of vms) {
        await client
          .deleteVm(vm.id, { wait: true })
          .catch((error: unknown) => problems.push(`deleting VM ${vm.id}: ${(error as Error).message}`));
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        problems.push(`aether up did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM; killed:\n${tail}`);
        child.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      if (child.exitCode !== 0)
        problems.push(`aether up exited with ${child.exitCode ?? child.signalCode}:\n${tail}`);
      for (const left of await killLeftoverSandboxes(stateDir))
        problems.push(`sandbox left running: ${left}`);
      cleanUp(stateDir);
      return problems;
    },
  };
}
