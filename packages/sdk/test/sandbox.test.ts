/**
 * `Sandbox` on a real embedded node: its lifecycle (create, find by labels, connect, extend,
 * dispose, kill) and the typed errors a caller meets (unknown VM, bad input, bad key, no
 * gateway, another project's VM), each with its stable code.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AuthenticationError,
  type Duration,
  NotFoundError,
  Sandbox,
  UnavailableError,
  ValidationError,
} from '@aetherium/sdk';
import { describe, expect, it } from 'vitest';
import { canRunSandboxes, rejection, useSandbox, useSdkNode } from './support/sdk-node.js';

const canRun = await canRunSandboxes('SDK sandbox lifecycle');
const sdk = useSdkNode(canRun);
/** Labels no other test file's sandbox carries: `Sandbox.list` must tell them apart. */
const RUN = `lifecycle-${process.pid}`;

/** A local server that records every request it gets (and answers none usefully). */
async function recordingServer(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!canRun)('Sandbox lifecycle (embedded node)', () => {
  const primary = useSandbox(sdk, canRun, { labels: { run: RUN, role: 'primary' }, ttl: '10m' });
  const other = useSandbox(sdk, canRun, { labels: { run: RUN, role: 'other' } });

  it('creates a running sandbox with a generated name, its labels and its lifetime', () => {
    const sandbox = primary();
    expect(sandbox.name).toMatch(/^sbx-[0-9a-f]{12}$/);
    expect(sandbox.name).not.toBe(other().name);
    expect(sandbox.info).toMatchObject({
      id: sandbox.id,
      status: 'running',
      labels: { run: RUN, role: 'primary' },
      ttl_seconds: 600,
    });
    const expiresIn = Date.parse(sandbox.info.expires_at!) - Date.parse(sandbox.info.created_at);
    expect(expiresIn).toBe(600_000);
  });

  it('lists by labels: every pair must match, other sandboxes are left out', async () => {
    const byRole = await Sandbox.list({ ...sdk.connection(), labels: { run: RUN, role: 'primary' } });
    expect(byRole.map((vm) => vm.id)).toEqual([primary().id]);
    const byRun = await Sandbox.list({ ...sdk.connection(), labels: { run: RUN } });
    expect(byRun.map((vm) => vm.id).sort()).toEqual([primary().id, other().id].sort());
    expect(await Sandbox.list({ ...sdk.connection(), labels: { run: RUN, role: 'absent' } })).toEqual([]);
  });

  it('connects by name to the same sandbox, and commands run in it', async () => {
    const again = await Sandbox.connect(primary().name, sdk.connection());
    expect(again.id).toBe(primary().id);
    expect(again.info).toMatchObject({
      name: primary().name,
      status: 'running',
      labels: { role: 'primary' },
    });
    await primary().files.write('connected.txt', 'seen by both');
    expect(await again.files.read('connected.txt')).toBe('seen by both');
  });

  it('setTimeout moves expires_at later by the duration given, in the store too', async () => {
    const sandbox = primary();
    const before = Date.parse((await sandbox.refresh()).expires_at!);
    await sandbox.setTimeout('1h');
    const after = Date.parse(sandbox.info.expires_at!);
    expect(after - before).toBe(3_600_000);
    expect(Date.parse((await sdk.node().client.getVm(sandbox.id)).expires_at!)).toBe(after);
    await sandbox.setTimeout(90);
    expect(Date.parse(sandbox.info.expires_at!) - after).toBe(90_000);
    // One made without a lifetime has no deadline to move.
    const error = await rejection(other().setTimeout('1h'));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/ttl_seconds/);
  });

  it('deletes the sandbox when an `await using` block ends', async () => {
    let id = '';
    {
      await using sandbox = await Sandbox.create({
        ...sdk.connection(),
        labels: { run: RUN, role: 'scoped' },
      });
      id = sandbox.id;
      expect((await sandbox.commands.run('echo inside')).stdout).toBe('inside\n');
    }
    expect(await sdk.node().client.getVm(id)).toMatchObject({ id, status: 'deleted' });
    expect(await Sandbox.list({ ...sdk.connection(), labels: { run: RUN, role: 'scoped' } })).toEqual([]);
  });

  it('kill() deletes the sandbox, and a second kill() is no error', async () => {
    const sandbox = await Sandbox.create({ ...sdk.connection(), labels: { run: RUN, role: 'killed' } });
    await sandbox.kill();
    expect(await sdk.node().client.getVm(sandbox.id)).toMatchObject({ status: 'deleted' });
    await sandbox.kill();
    expect(sandbox.info.status).toBe('deleted');
    // Its record is still readable by id, but there is no sandbox left to connect to.
    await expect(Sandbox.connect(sandbox.id, sdk.connection())).rejects.toMatchObject({
      name: 'NotFoundError',
      code: 'ERR_VM_NOT_FOUND',
    });
    expect(await Sandbox.list({ ...sdk.connection(), labels: { run: RUN, role: 'killed' } })).toEqual([]);
  });
});

describe.skipIf(!canRun)('Sandbox errors (embedded node)', () => {
  const mine = useSandbox(sdk, canRun, { labels: { run: RUN, role: 'owned' } });

  it('an unknown sandbox is a NotFoundError with ERR_VM_NOT_FOUND', async () => {
    const error = await rejection(Sandbox.connect('nope', sdk.connection()));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'ERR_VM_NOT_FOUND', retryable: false });
    expect(error.message).toContain('nope');
  });

  it('a bad option is a ValidationError naming the field, and nothing is created', async () => {
    const name = `too-big-${process.pid}`;
    const error = await rejection(Sandbox.create({ ...sdk.connection(), name, vcpus: 999 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    expect(error.message).toMatch(/vcpus/);
    expect((await Sandbox.list(sdk.connection())).map((vm) => vm.name)).not.toContain(name);
  });

  it('a bad duration is a ValidationError before any request is sent', async () => {
    const gateway = await recordingServer();
    try {
      const soon = 'soon' as unknown as Duration;
      const error = await rejection(Sandbox.create({ apiUrl: gateway.url, apiKey: 'k', ttl: soon }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'ERR_VALIDATION' });
      expect(error.message).toMatch(/^ttl .*soon/);
      const negative = await rejection(Sandbox.create({ apiUrl: gateway.url, apiKey: 'k', idleTimeout: -5 }));
      expect(negative.message).toMatch(/^idleTimeout/);
      expect(gateway.requests).toEqual([]);
    } finally {
      await gateway.close();
    }
  });

  it('an already aborted signal sends nothing', async () => {
    const gateway = await recordingServer();
    try {
      const reason = new Error('given up');
      const signal = AbortSignal.abort(reason);
      await expect(Sandbox.create({ apiUrl: gateway.url, apiKey: 'k', signal })).rejects.toBe(reason);
      await expect(Sandbox.list({ apiUrl: gateway.url, apiKey: 'k', signal })).rejects.toBe(reason);
      await expect(Sandbox.connect('any', { apiUrl: gateway.url, apiKey: 'k', signal })).rejects.toBe(reason);
      expect(gateway.requests).toEqual([]);
    } finally {
      await gateway.close();
    }
  });

  it('a signal on a sandbox call cuts that call only; the sandbox goes on serving', async () => {
    const sandbox = mine();
    const reason = new Error('given up');
    const signal = AbortSignal.abort(reason);
    await expect(sandbox.files.list('.', { signal })).rejects.toBe(reason);
    await expect(sandbox.kill({ signal })).rejects.toBe(reason);
    await expect(sandbox.ports.url(8000, { signal })).rejects.toBe(reason);
    expect((await sandbox.refresh()).status).toBe('running');
    expect((await sandbox.commands.run('echo still here')).stdout).toBe('still here\n');
  });

  it('a key the gateway does not know is an AuthenticationError', async () => {
    const error = await rejection(Sandbox.list({ apiUrl: sdk.connection().apiUrl, apiKey: 'ak_not_a_key' }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.status).toBe(401);
    const connect = await rejection(
      Sandbox.connect(mine().id, { apiUrl: sdk.connection().apiUrl, apiKey: 'x' }),
    );
    expect(connect).toBeInstanceOf(AuthenticationError);
  });

  it('a gateway nobody listens at is an UnavailableError, retryable, naming the URL', async () => {
    const apiUrl = `http://127.0.0.1:${await closedPort()}`;
    const error = await rejection(Sandbox.create({ apiUrl, apiKey: 'k' }));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ status: 0, code: 'ERR_GATEWAY_UNREACHABLE', retryable: true });
    expect(error.message).toContain(apiUrl);
  });

  it("another project's key cannot see the sandbox: NotFoundError, by id and by name", async () => {
    const { apiKey } = await sdk.projectKey(`intruder-${process.pid}`);
    const as = { apiUrl: sdk.connection().apiUrl, apiKey };
    for (const idOrName of [mine().id, mine().name]) {
      const error = await rejection(Sandbox.connect(idOrName, as));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.code).toBe('ERR_VM_NOT_FOUND');
    }
    expect(await Sandbox.list({ ...as, labels: { run: RUN } })).toEqual([]);
  });
});
