/**
 * `aether mcp` as an AI agent's client uses it: the MCP SDK's own Client, over stdio (spawning the
 * CLI) and over streamable HTTP, against a real node. Tools make a VM, run commands, move files,
 * make a preview URL that reaches a server in the VM, and delete the VM; hostile inputs come back
 * as tool errors; each key sees only its own project; the process ends on stdin close or SIGTERM.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestNode } from '../support/embedded-node.js';
import { rawRequest } from '../support/raw-http.js';
import { CLI_ENTRY } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('the MCP server');
const node = useTestNode(canRun);

const TOOLS = [
  'create_vm',
  'delete_vm',
  'list_files',
  'list_vms',
  'port_url',
  'read_file',
  'run_command',
  'write_file',
];
const CALL_TIMEOUT_MS = 120_000;

/** The environment of `aether mcp`: the test gateway, and no key but `token` (never a saved one). */
function cliEnv(token?: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && name !== 'AETHER_TOKEN') env[name] = value;
  }
  return {
    ...env,
    AETHER_URL: node().url,
    AETHER_CREDENTIALS_FILE: '/nonexistent/credentials.json',
    ...(token ? { AETHER_TOKEN: token } : {}),
  };
}

const CLI = [process.execPath, '--import', 'tsx', CLI_ENTRY] as const;

async function stdioClient(token: string): Promise<Client> {
  const client = new Client({ name: 'aether-e2e', version: '1.0.0' });
  const [command, ...args] = CLI;
  await client.connect(
    new StdioClientTransport({ command, args: [...args, 'mcp'], env: cliEnv(token), stderr: 'inherit' }),
  );
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args }, undefined, {
    timeout: CALL_TIMEOUT_MS,
  })) as CallToolResult;
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

/** The structured answer of a call that must succeed; its text tells why when it did not. */
async function ok<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<T> {
  const result = await call(client, name, args);
  expect(result.isError ?? false, `${name}: ${textOf(result)}`).toBe(false);
  return result.structuredContent as T;
}

/** The text of a call that must fail as a tool error. */
async function failure(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = await call(client, name, args);
  expect(result.isError, `${name} should have failed: ${textOf(result)}`).toBe(true);
  return textOf(result);
}

async function projectKey(project: string): Promise<string> {
  return (await node().client.createKey({ name: `mcp ${project}`, project })).secret;
}

describe.skipIf(!canRun)('aether mcp over stdio', () => {
  let keyA = '';
  let keyB = '';
  let agentA: Client;
  let agentB: Client;

  beforeAll(async () => {
    keyA = await projectKey('mcp-a');
    keyB = await projectKey('mcp-b');
    [agentA, agentB] = await Promise.all([stdioClient(keyA), stdioClient(keyB)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([agentA?.close(), agentB?.close()]);
  });

  it('lists its tools, each described, with input schemas that state their limits', async () => {
    const { tools } = await agentA.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(30);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
    }
    const run = tools.find((tool) => tool.name === 'run_command')!;
    expect(run.inputSchema.required).toEqual(['vm', 'command']);
    expect(run.inputSchema.properties).toMatchObject({
      timeout_ms: { type: 'integer', minimum: 1, maximum: 600_000 },
      background: { type: 'boolean' },
    });
    const create = tools.find((tool) => tool.name === 'create_vm')!;
    expect(Object.keys(create.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['name', 'driver', 'vcpus', 'memory_mib', 'tools', 'labels', 'ttl']),
    );
    expect(create.inputSchema.required ?? []).toEqual([]);
  });

  it('makes a VM, runs commands in it, writes, reads and lists files, serves a port, deletes it', async () => {
    const vm = await ok<{ id: string; name: string; status: string; driver: string; labels: object }>(
      agentA,
      'create_vm',
      { driver: 'process', labels: { suite: 'mcp' }, ttl: '30m' },
    );
    expect(vm).toMatchObject({ status: 'running', driver: 'process', labels: { suite: 'mcp' } });
    expect(vm.name).toMatch(/^mcp-[0-9a-f]{8}$/);

    const shell = await ok(agentA, 'run_command', { vm: vm.id, command: 'echo out; echo err >&2; exit 3' });
    expect(shell).toMatchObject({ exit_code: 3, outcome: 'exited', stdout: 'out\n', stderr: 'err\n' });
    const argv = await ok(agentA, 'run_command', { vm: vm.name, command: ['printf', '%s|', 'a b', '$HOME'] });
    expect(argv).toMatchObject({ exit_code: 0, stdout: 'a b|$HOME|' });
    const long = await ok<{ stdout: string; output_truncated: boolean }>(agentA, 'run_command', {
      vm: vm.id,
      command: "head -c 200000 /dev/zero | tr '\\0' x; echo END",
    });
    expect(long.output_truncated).toBe(true);
    expect(long.stdout).toMatch(/characters left out/);
    expect(long.stdout.endsWith('xEND\n')).toBe(true);
    expect(long.stdout.length).toBeLessThan(60_000);
    const slow = await call(agentA, 'run_command', {
      vm: vm.id,
      command: 'echo started; sleep 30',
      timeout_ms: 1000,
    });
    expect(slow.structuredContent).toMatchObject({
      outcome: 'timed_out',
      exit_code: null,
      stdout: 'started\n',
    });
    expect(textOf(slow)).toMatch(/^timed out after 1000 ms/);

    const written = await ok(agentA, 'write_file', { vm: vm.id, path: 'site/hello.txt', content: 'héllo\n' });
    expect(written).toMatchObject({ bytes: 7 });
    expect(await ok(agentA, 'read_file', { vm: vm.id, path: 'site/hello.txt' })).toMatchObject({
      content: 'héllo\n',
      encoding: 'utf-8',
      binary: false,
      truncated: false,
      size: 7,
    });
    // Cut inside the two bytes of é: the half character is dropped, not taken for binary.
    const cut = await call(agentA, 'read_file', { vm: vm.id, path: 'site/hello.txt', max_bytes: 2 });
    expect(cut.structuredContent).toMatchObject({ content: 'h', truncated: true, binary: false });
    expect(textOf(cut)).toMatch(/cut after 2 of 7 bytes/);
    await ok(agentA, 'write_file', {
      vm: vm.id,
      path: 'site/blob.bin',
      content: 'AAEC/w==',
      encoding: 'base64',
    });
    const blob = await call(agentA, 'read_file', { vm: vm.id, path: 'site/blob.bin' });
    expect(blob.structuredContent).toMatchObject({ content: 'AAEC/w==', encoding: 'base64', binary: true });
    expect(textOf(blob)).toMatch(/binary file \(4 bytes\)/);
    const listed = await ok<{ entries: { name: string; type: string; size: number }[] }>(
      agentA,
      'list_files',
      { vm: vm.id, path: 'site' },
    );
    expect(listed.entries.map((entry) => entry.name).sort()).toEqual(['blob.bin', 'hello.txt']);
    const tree = await ok<{ entries: { name: string; type: string }[] }>(agentA, 'list_files', {
      vm: vm.id,
      recursive: true,
    });
    expect(tree.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'site', type: 'directory' }),
        expect.objectContaining({ name: 'site/hello.txt', type: 'file' }),
      ]),
    );

    const server = await ok<{ execution_id: string; outcome: string }>(agentA, 'run_command', {
      vm: vm.id,
      command: ['python3', '-m', 'http.server', '8000', '--bind', '127.0.0.1', '--directory', 'site'],
      background: true,
    });
    expect(server.execution_id).toMatch(/^[0-9a-f-]{36}$/);
    const preview = await ok<{ url: string; port: number }>(agentA, 'port_url', {
      vm: vm.id,
      port: 8000,
      expires_in: '10m',
    });
    expect(preview.url).toMatch(new RegExp(`^${node().url}/preview/`));
    expect(await fetchOnceListening(`${preview.url}hello.txt`)).toBe('héllo\n');

    expect(await ok(agentA, 'delete_vm', { vm: vm.id })).toMatchObject({ id: vm.id, status: 'deleted' });
    const after = await ok<{ vms: { id: string }[] }>(agentA, 'list_vms', {});
    expect(after.vms.map((v) => v.id)).not.toContain(vm.id);
  }, 240_000);

  it('answers hostile input with tool errors carrying the code, and lives on', async () => {
    expect(await failure(agentA, 'run_command', { vm: 'no-such-vm', command: 'true' })).toMatch(
      /^ERR_VM_NOT_FOUND: /,
    );
    expect(await failure(agentA, 'list_files', { vm: '../../etc', path: '/' })).toMatch(
      /^ERR_VALIDATION: .*ids and names/,
    );
    expect(await failure(agentA, 'read_file', { vm: 'no-such-vm', path: 'a\0b' })).toMatch(
      /^ERR_VALIDATION: .*path.*NUL/,
    );
    expect(
      await failure(agentA, 'run_command', { vm: 'no-such-vm', command: 'true', timeout_ms: 1e12 }),
    ).toMatch(/-32602.*timeout_ms/s);
    expect(await failure(agentA, 'create_vm', { name: 'Not A Name!' })).toMatch(/^ERR_VALIDATION: .*name/);
    expect(await failure(agentA, 'create_vm', { driver: 'no-such-driver' })).toMatch(/^ERR_VALIDATION: /);
    expect(
      await failure(agentA, 'write_file', { vm: 'x', path: 'f', content: '%%%', encoding: 'base64' }),
    ).toBe('ERR_VALIDATION: content: not valid base64');
    expect(await failure(agentA, 'no_such_tool', {})).toMatch(/not found/);
    // Still serving.
    expect(await ok(agentA, 'list_vms', {})).toHaveProperty('vms');
  });

  it("shows one project's key nothing of another project's VMs", async () => {
    const vm = await ok<{ id: string; name: string }>(agentA, 'create_vm', {
      name: 'private-a',
      driver: 'process',
    });
    try {
      const seenByB = await ok<{ vms: { name: string }[] }>(agentB, 'list_vms', {});
      expect(seenByB.vms.map((v) => v.name)).not.toContain('private-a');
      expect(await failure(agentB, 'run_command', { vm: vm.id, command: 'true' })).toMatch(
        /^ERR_VM_NOT_FOUND: /,
      );
      expect(await failure(agentB, 'read_file', { vm: 'private-a', path: '/etc/hostname' })).toMatch(
        /^ERR_VM_NOT_FOUND: /,
      );
      expect(await failure(agentB, 'delete_vm', { vm: vm.id })).toMatch(/^ERR_VM_NOT_FOUND: /);
      const seenByA = await ok<{ vms: { name: string }[] }>(agentA, 'list_vms', {});
      expect(seenByA.vms.map((v) => v.name)).toContain('private-a');
    } finally {
      await call(agentA, 'delete_vm', { vm: vm.id });
    }
  }, 120_000);
});

/** Fetches `url` once the app behind the preview answers (the server takes a moment to bind). */
async function fetchOnceListening(url: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const res = await fetch(url);
    const body = await res.text();
    if (res.ok) return body;
    expect(res.status, body).toBe(502);
    await sleep(200);
  }
  throw new Error(`nothing answered at ${url}`);
}

/** `aether mcp` started by hand, to watch its streams and its end. */
function startMcp(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  const [command, ...rest] = CLI;
  return spawn(command, [...rest, 'mcp', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
}

async function exitOf(child: ChildProcessWithoutNullStreams, withinMs: number) {
  if (child.exitCode !== null || child.signalCode !== null)
    return { code: child.exitCode, signal: child.signalCode };
  const timer = setTimeout(() => child.kill('SIGKILL'), withinMs);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return { code, signal };
}

/** Collects a stream's text as it comes, and waits for a pattern in it. */
function collect(stream: NodeJS.ReadableStream) {
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return {
    get text() {
      return text;
    },
    async waitFor(pattern: RegExp, withinMs = 30_000): Promise<RegExpExecArray> {
      for (const deadline = Date.now() + withinMs; Date.now() < deadline; await sleep(50)) {
        const match = pattern.exec(text);
        if (match) return match;
      }
      throw new Error(`no ${pattern} within ${withinMs} ms in:\n${text}`);
    },
  };
}

const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
})}\n`;

describe.skipIf(!canRun)('the stdio process', () => {
  for (const how of ['stdin close', 'SIGTERM'] as const) {
    it(`writes only protocol messages to stdout and ends at once on ${how}`, async () => {
      const child = startMcp([], cliEnv('aek_unused'));
      try {
        const stdout = collect(child.stdout);
        const stderr = collect(child.stderr);
        child.stdin.write(INITIALIZE);
        await stdout.waitFor(/"serverInfo"/);
        if (how === 'stdin close') child.stdin.end();
        else child.kill('SIGTERM');
        const end = await exitOf(child, 10_000);
        expect(end, stderr.text).toEqual({ code: 0, signal: null });
        for (const line of stdout.text.split('\n').filter(Boolean)) {
          expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
        }
      } finally {
        child.kill('SIGKILL');
      }
    }, 60_000);
  }
});

describe.skipIf(!canRun)('aether mcp --http', () => {
  let child: ChildProcessWithoutNullStreams;
  let url = '';
  let keyA = '';
  let keyB = '';

  beforeAll(async () => {
    keyA = await projectKey('mcp-http-a');
    keyB = await projectKey('mcp-http-b');
    // No AETHER_TOKEN: a request without a key of its own has none.
    child = startMcp(['--http', '--port', '0'], cliEnv());
    const stderr = collect(child.stderr);
    [, url] = (await stderr.waitFor(/serving MCP at (http:\/\/\S+\/mcp) /)) as unknown as [string, string];
  }, 60_000);

  afterAll(async () => {
    if (!child) return;
    child.kill('SIGTERM');
    expect((await exitOf(child, 10_000)).code).toBe(0);
  });

  async function httpClient(key?: string): Promise<Client> {
    const client = new Client({ name: 'aether-e2e-http', version: '1.0.0' });
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
    return client;
  }

  it('acts with each request’s key: two keys, two projects', async () => {
    const [a, b] = await Promise.all([httpClient(keyA), httpClient(keyB)]);
    try {
      const vm = await ok<{ id: string }>(a, 'create_vm', { name: 'http-a', driver: 'process' });
      const ran = await ok(a, 'run_command', { vm: 'http-a', command: 'echo over-http' });
      expect(ran).toMatchObject({ exit_code: 0, stdout: 'over-http\n' });
      const seenByB = await ok<{ vms: { id: string }[] }>(b, 'list_vms', {});
      expect(seenByB.vms.map((v) => v.id)).not.toContain(vm.id);
      expect(await failure(b, 'delete_vm', { vm: 'http-a' })).toMatch(/^ERR_VM_NOT_FOUND: /);
      expect(await ok(a, 'delete_vm', { vm: 'http-a' })).toMatchObject({ status: 'deleted' });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 120_000);

  it('answers 401 to a request without a key, and refuses a page addressed elsewhere', async () => {
    await expect(httpClient()).rejects.toMatchObject({ code: 401 });
    const bare = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: INITIALIZE,
    });
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const malformed = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Basic eDp5' },
      body: INITIALIZE,
    });
    expect(malformed.status).toBe(401);
    // DNS rebinding: a name that resolves here but is not ours.
    const rebound = await rawRequest(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${keyA}`, host: 'attacker.example' },
      body: INITIALIZE,
    });
    expect(rebound.status).toBe(403);
  });
});
