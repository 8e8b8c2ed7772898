/**
 * Test fixtures for the driver conformance suite: VMs that are always destroyed, whose ids are
 * printed when a test fails, and exec helpers that collect output.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { onTestFailed } from 'vitest';
import type { ExecRequest, ExecResult, VmDriver } from '../../../core/driver.js';
import type { GuestFiles, WriteFileOptions } from '../../../core/guest-files.js';

export interface RunResult extends ExecResult {
  stdout: string;
  stderr: string;
}

export class VmFixtures {
  private readonly ids = new Set<string>();

  constructor(
    private readonly suite: string,
    private readonly driver: () => VmDriver,
    private readonly stateDir: () => string,
  ) {}

  /** A created VM (not started), destroyed after the test; its id is printed if the test fails. */
  async created(label: string, size: { memoryMiB?: number } = {}): Promise<string> {
    const id = randomUUID();
    this.ids.add(id);
    onTestFailed(() => {
      console.error(`[${this.suite}] failed test used VM ${id} (${label}); stateDir ${this.stateDir()}`);
    });
    await this.driver().create({
      id,
      name: `conformance-${label}`,
      vcpus: 1,
      memoryMiB: size.memoryMiB ?? 256,
    });
    return id;
  }

  /** A running VM. */
  async running(label: string, size: { memoryMiB?: number } = {}): Promise<string> {
    const id = await this.created(label, size);
    await this.driver().start(id);
    return id;
  }

  /** Destroys every VM the test made; reports all failures, not just the first. */
  async cleanup(): Promise<void> {
    const failures: string[] = [];
    for (const id of this.ids) {
      try {
        await this.driver().destroy(id);
      } catch (error) {
        failures.push(`${id}: ${(error as Error).message}`);
      }
    }
    this.ids.clear();
    if (failures.length > 0) throw new Error(`[${this.suite}] cleanup failed for ${failures.join('; ')}`);
  }
}

/** Runs argv in the VM and collects its output as text. */
export async function run(
  driver: VmDriver,
  id: string,
  argv: string[],
  options: Partial<ExecRequest> = {},
  signal?: AbortSignal,
): Promise<RunResult> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const result = await driver.exec(
    id,
    { timeoutMs: 10_000, ...options, argv },
    { onStdout: (c) => void stdout.push(Buffer.from(c)), onStderr: (c) => stderr.push(Buffer.from(c)) },
    signal,
  );
  return {
    ...result,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
  };
}

/**
 * A shell line that holds 512 MiB of memory, with what every guest image has (awk: a string
 * doubled until it is that long), and prints its length if it got there.
 */
export const ALLOCATE_512_MIB =
  'exec awk \'BEGIN { s = "x"; while (length(s) < 536870912) s = s s; print length(s) }\'';

/** `sh -c script` in the VM. */
export function sh(
  driver: VmDriver,
  id: string,
  script: string,
  options: Partial<ExecRequest> = {},
): Promise<RunResult> {
  return run(driver, id, ['sh', '-c', script], options);
}

/** Shell snippet printing "alive PID" for every pid listed in FILE that is still running (zombies are dead). */
export function aliveCheck(file: string): string {
  return `for p in $(cat ${file}); do s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null || true); [ -z "$s" ] || [ "$s" = Z ] || echo "alive $p"; done`;
}

/** Host processes whose command line contains `needle` (for drivers whose guests are host processes). */
export function hostProcessesMatching(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(needle)) found.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Paths under `dir` whose name contains `needle`. */
export function pathsNaming(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.name.includes(needle)) found.push(path);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return found;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `bytes` to a guest file in one call. */
export function writeBytes(
  files: GuestFiles,
  id: string,
  path: string,
  bytes: Uint8Array | string,
  options?: WriteFileOptions,
): Promise<{ size: number }> {
  return files.writeFile(id, path, Readable.from([Buffer.from(bytes)]), options);
}

/** Reads a whole guest file. */
export async function readBytes(files: GuestFiles, id: string, path: string): Promise<Buffer> {
  const { body } = await files.readFile(id, path);
  return Buffer.concat(await body.toArray());
}
