/**
 * File streams on a serial line (--serial-fd, the virtio-serial stand-in): uploads, downloads and
 * streamed stdin multiplexed with running commands on the one resynchronised line, and the
 * transfers of a host that is gone abandoned when the next one synchronises.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AgentClient } from '../protocol/client.js';
import { encodeFrame, encodeSync, SYNC_NONCE_BYTES } from '../protocol/framing.js';
import { type SpawnedSerialAgent, spawnSerialAgent } from './spawn-agent.js';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const temporaries = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('.aether-upload-'));

describe('file streams on a serial line', () => {
  let dir: string;
  let agent: SpawnedSerialAgent;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-serial-files-'));
    agent = await spawnSerialAgent(inject('agentBundlePath'), dir);
  });

  afterAll(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('abandons the upload of a host that is gone when the next one synchronises', async () => {
    agent.line.write(encodeSync(Buffer.alloc(SYNC_NONCE_BYTES, 1)));
    agent.line.write(encodeFrame({ type: 'write', id: 'gone-1', path: 'orphan.bin' }));
    agent.line.write(
      encodeFrame({ type: 'data', id: 'gone-1', data: Buffer.alloc(1000).toString('base64') }),
    );
    await expect.poll(() => temporaries(dir).length, { timeout: 3000 }).toBe(1);
    // The next host: its marker ends what the earlier one left half done.
    const client = new AgentClient(agent.line, { resync: true });
    await client.sync(5000);
    await expect.poll(() => temporaries(dir), { timeout: 3000 }).toEqual([]);
    expect(readdirSync(dir)).not.toContain('orphan.bin');

    // Then, on the same line at once: a command with output, an upload, stdin to another command.
    const upload = randomBytes(6 * MiB);
    const stdin = randomBytes(4 * MiB);
    const out: Uint8Array[] = [];
    const summed: Uint8Array[] = [];
    const [noisy, written, hashed] = await Promise.all([
      client.exec(
        { argv: ['head', '-c', String(8 * MiB), '/dev/zero'], timeoutMs: 30_000 },
        { onStdout: (c) => void out.push(c) },
      ),
      client.writeFile('sub/upload.bin', Readable.from([upload])),
      client.exec(
        { argv: ['sha256sum'], stdin: Readable.from([stdin]), timeoutMs: 30_000 },
        { onStdout: (c) => void summed.push(c) },
      ),
    ]);
    expect(noisy.exitCode).toBe(0);
    expect(out.reduce((n, c) => n + c.length, 0)).toBe(8 * MiB);
    expect(written).toEqual({ size: upload.length });
    expect(hashed.exitCode).toBe(0);
    expect(Buffer.concat(summed).toString().split(' ')[0]).toBe(sha256(stdin));
    const { body } = await client.readFile('sub/upload.bin');
    expect(sha256(Buffer.concat(await body.toArray()))).toBe(sha256(upload));
    agent.line.removeAllListeners('data');
  });
});
