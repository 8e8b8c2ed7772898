/**
 * A 1 GiB file up and back through `aether cp`, byte-identical, while the node's resident memory
 * (gateway, worker and embedded store share this process; the CLI is a process of its own) grows
 * by less than 64 MiB: bodies stream with backpressure end to end and are never held whole.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('1 GiB file round trip');
const SIZE = 1024 ** 3;
const MEMORY_BOUND = 64 * 1024 ** 2;

/** Writes `size` bytes that do not repeat within a block (a counter in every 64 KiB), fast. */
async function writePatterned(file: string, size: number): Promise<void> {
  const block = Buffer.alloc(64 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 131 + 7) & 0xff;
  async function* blocks() {
    for (let offset = 0; offset < size; offset += block.length) {
      const out = Buffer.from(block);
      out.writeUInt32BE(offset / block.length, 0);
      yield out;
    }
  }
  await pipeline(blocks, createWriteStream(file));
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Samples this process's RSS every 100 ms until stopped; returns the peak growth over `before`. */
function watchMemory() {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return () => {
    clearInterval(timer);
    return peak - before;
  };
}

describe.skipIf(!canRun)('a 1 GiB round trip through aether cp', () => {
  const node = useTestNode(canRun);
  const work = mkdtempSync(path.join(os.tmpdir(), 'aether-files-large-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('comes back byte-identical with bounded memory in the node', async () => {
    const { url, client } = node();
    await client.createVm({ name: 'large' }, { wait: true });
    const source = path.join(work, 'big.bin');
    await writePatterned(source, SIZE);
    const expected = await sha256(source);
    global.gc?.();
    const stop = watchMemory();
    const up = await runCli(url, ['cp', source, 'large:/home/user/big.bin']);
    expect(up.code, up.stderr).toBe(0);
    const back = path.join(work, 'back.bin');
    const down = await runCli(url, ['cp', 'large:/home/user/big.bin', back]);
    expect(down.code, down.stderr).toBe(0);
    const growth = stop();
    console.info(`1 GiB up and down: node RSS grew by at most ${(growth / 1024 ** 2).toFixed(1)} MiB`);
    expect(statSync(back).size).toBe(SIZE);
    expect(await sha256(back)).toBe(expected);
    expect(growth).toBeLessThan(MEMORY_BOUND);
  }, 300_000);
});
