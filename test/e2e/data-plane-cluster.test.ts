/**
 * The data plane in a cluster: a gateway and two workers as separate processes on PostgreSQL and
 * Redis, with a cluster secret. Files go up and come back byte-identical through the worker that
 * owns each VM, directory trees travel as tar, stdin streams and signals reach running commands —
 * and none of the bytes pass through Redis or PostgreSQL. A worker's listener lets in only the
 * cluster secret. `aether cp` keeps a tree whole through either worker, and a VM's symlinks
 * bring back none of the host's files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, redisAvailable } from '../support/backends.js';
import { type AetherCli, expectNoSymlinkEscape, expectTreeRoundTrip } from '../support/cli-copy-cases.js';
import { runCli } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { useTwoWorkerCluster } from '../support/two-worker-cluster.js';

const canRun =
  (await sandboxesAvailable('data plane cluster')) && (await postgresAvailable()) && (await redisAvailable());

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

describe.skipIf(!canRun)('data plane across processes (gateway + 2 workers)', () => {
  const {
    api,
    vms,
    owners: vmPerWorker,
    secret: SECRET,
    databaseUrl,
    redisUrl,
    cluster,
    runDir,
  } = useTwoWorkerCluster('dp', canRun);
  beforeAll(() => {
    console.info(`data plane cluster: VMs on ${[...new Set(vms.map((v) => v.worker))].join(', ')}`);
  });

  it('moves 32 MiB up and back through each worker byte for byte, with no bytes in Redis or PostgreSQL', async () => {
    const redis = new Redis(redisUrl.href);
    const netIn = async () => Number(/total_net_input_bytes:(\d+)/.exec(await redis.info('stats'))![1]);
    const dbSize = async () => {
      const client = new pg.Client({ connectionString: databaseUrl.href });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT pg_database_size(current_database())::bigint AS size');
        return Number(rows[0].size);
      } finally {
        await client.end();
      }
    };
    const data = randomBytes(32 * 1024 ** 2);
    const owners = vmPerWorker();
    try {
      for (const vm of owners) {
        const redisBefore = await netIn();
        const dbBefore = await dbSize();
        const up = await fetch(api(`/vms/${vm.id}/files?path=big.bin`), {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: Readable.toWeb(Readable.from([data.subarray(0, 1 << 24), data.subarray(1 << 24)])) as never,
          duplex: 'half',
        } as RequestInit);
        expect(up.status, await up.clone().text()).toBe(201);
        const down = await fetch(api(`/vms/${vm.id}/files?path=big.bin`));
        expect(down.status).toBe(200);
        const back = Buffer.from(await down.arrayBuffer());
        expect(back.length).toBe(data.length);
        expect(sha256(back)).toBe(sha256(data));
        // Heartbeats and task traffic go on meanwhile: far less than the 64 MiB that moved.
        expect((await netIn()) - redisBefore).toBeLessThan(2 * 1024 ** 2);
        expect((await dbSize()) - dbBefore).toBeLessThan(4 * 1024 ** 2);
      }
    } finally {
      redis.disconnect();
    }
  }, 120_000);

  it('answers errors with their codes: missing file, other project is not asked, bad secret refused', async () => {
    const vm = vms[0]!;
    const missing = await fetch(api(`/vms/${vm.id}/files?path=/no/such/file`));
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('ERR_FILE_NOT_FOUND');

    // The worker's listener is reachable, but not without the secret.
    const client = new pg.Client({ connectionString: databaseUrl.href });
    await client.connect();
    const { rows } = await client.query('SELECT data_url FROM workers WHERE id = $1', [vm.worker]);
    await client.end();
    const dataUrl = rows[0].data_url as string;
    expect(dataUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${SECRET}x`]) {
      const res = await fetch(`${dataUrl}/data/v1/stat?vm=${vm.id}&driver=process&path=/etc/hostname`, {
        method: 'POST',
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
    }
  }, 60_000);

  it('feeds a streamed stdin and delivers a signal to a command on another process', async () => {
    const vm = vms[vms.length - 1]!;
    const start = await fetch(api(`/vms/${vm.id}/execute`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'sha256sum', stdin_stream: true }),
    });
    const { execution_id: executionId } = (await start.json()) as { execution_id: string };
    const input = randomBytes(8 * 1024 ** 2);
    const fed = await fetch(api(`/executions/${executionId}/stdin`), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.toWeb(Readable.from([input])) as never,
      duplex: 'half',
    } as RequestInit);
    expect(fed.status, await fed.clone().text()).toBe(200);
    expect(((await fed.json()) as { bytes: number }).bytes).toBe(input.length);
    const execution = await waitForEnd(executionId);
    expect(execution.stdout.split(' ')[0]).toBe(sha256(input));

    const sleeper = await fetch(api(`/vms/${vm.id}/execute`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'sleep', args: ['300'] }),
    });
    const sleeping = ((await sleeper.json()) as { execution_id: string }).execution_id;
    const signalled = await fetch(api(`/executions/${sleeping}/signal`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ signal: 'SIGTERM' }),
    });
    expect(signalled.status, await signalled.clone().text()).toBe(202);
    const ended = await waitForEnd(sleeping);
    expect(ended.outcome).toBe('signalled');
    expect(ended.signal).toBe('SIGTERM');
  }, 90_000);

  describe('aether cp against the gateway, auth off', () => {
    // No key exists: the CLI sends none, as a user of an auth-off cluster would.
    const aether: AetherCli = (...args) => runCli(cluster().url, args);

    it('round-trips a directory tree through a VM of each worker', async () => {
      const owners = vmPerWorker();
      expect(owners.length, 'VMs on both workers').toBe(2);
      for (const vm of owners) {
        await expectTreeRoundTrip(aether, vm.id, runDir(), { remoteDir: 'cli/tree' });
      }
    }, 120_000);

    it('does not hand out host files through symlinks in a VM', async () => {
      await expectNoSymlinkEscape(aether, vms[0]!.id, runDir());
    }, 60_000);
  });

  async function waitForEnd(executionId: string) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await fetch(api(`/executions/${executionId}`));
      const execution = (await res.json()) as {
        outcome: string;
        signal: string | null;
        stdout: string;
        completed_at: string | null;
      };
      if (execution.completed_at) return execution;
      if (Date.now() > deadline) throw new Error(`execution ${executionId} did not end`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});
