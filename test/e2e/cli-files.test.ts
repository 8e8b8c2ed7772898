/**
 * `aether cp`, `aether fs`, and detached, signalled and stdin-streamed executions, through the
 * real CLI against a real `aether up` (process driver): bytes, modes and symlinks survive the
 * round trip, and a VM's symlinks never reach the host's files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestNode } from '../support/embedded-node.js';
import { makeTree, manifest, sha256 } from '../support/file-tree.js';
import { gatewayKey } from '../support/gateway-keys.js';
import { CLI_ENTRY, runCli } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('CLI files and executions');
const node = useTestNode(canRun);
const VM = 'files';

const aether = (...args: string[]) => runCli(node().url, args);

interface BinaryResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** `aether ARGS` with binary stdin and stdout, and an optional token of another user. */
function aetherBinary(
  args: string[],
  options: { stdin?: Buffer | AsyncIterable<Uint8Array>; token?: string; cwd?: string } = {},
): Promise<BinaryResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
    cwd: options.cwd,
    env: {
      ...process.env,
      AETHER_URL: node().url,
      AETHER_TOKEN: options.token ?? gatewayKey(node().url) ?? '',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.on('error', () => {}); // the CLI may stop reading first; its exit says how it went
  const feeding = (async () => {
    const input = options.stdin;
    if (input === undefined || Buffer.isBuffer(input)) return child.stdin.end(input);
    for await (const chunk of input) {
      if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
    }
    child.stdin.end();
  })();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`aether ${args.join(' ')} did not finish\n${stderr}`));
    }, 180_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      void feeding.catch(() => {});
      resolve({ code, stdout: Buffer.concat(stdout), stderr });
    });
  });
}

/** `mib` MiB of bytes that look random but come from a fixed seed, a chunk at a time. */
async function* seededBytes(mib: number, seed: string): AsyncGenerator<Buffer> {
  const cipher = createCipheriv('aes-128-ctr', createHash('md5').update(seed).digest(), Buffer.alloc(16));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i++) yield cipher.update(zeros);
}

let scratch: string;

describe.skipIf(!canRun)('aether cp, fs and executions', () => {
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'aether-cp-'));
    const created = await aether('vm', 'create', VM);
    expect(created.code, created.stderr).toBe(0);
  }, 60_000);
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('round-trips a directory tree byte-identical, with modes and symlinks', async () => {
    const tree = path.join(scratch, 'tree');
    makeTree(tree);
    const up = await aether('cp', tree, `${VM}:work/tree`);
    expect(up.code, up.stderr).toBe(0);

    // The VM sees the symlink as a link, and the modes as sent.
    const link = JSON.parse((await aether('fs', 'stat', VM, 'work/tree/link', '--json')).stdout);
    expect(link).toMatchObject({ type: 'symlink', target: 'nested/deeper/deep.bin' });
    const ls = await aether('fs', 'ls', VM, 'work/tree');
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/^-rw-------\s+8\s+\S+\s+secret$/m);
    expect(ls.stdout).toMatch(/^-rwxr-xr-x\s+\d+\s+\S+\s+run\.sh$/m);
    expect(ls.stdout).toMatch(/lrwxrwxrwx .* link -> nested\/deeper\/deep\.bin/);

    // Back to a path that does not exist: it becomes the tree itself.
    const back = path.join(scratch, 'back');
    const down = await aether('cp', `${VM}:work/tree`, back);
    expect(down.code, down.stderr).toBe(0);
    expect(manifest(back)).toEqual(manifest(tree));
  }, 120_000);

  it('copies into an existing directory under the source name, both ways, as docker cp does', async () => {
    const tree = path.join(scratch, 'into-tree');
    makeTree(tree);
    expect((await aether('fs', 'mkdir', VM, 'into', '-p')).code).toBe(0);
    const up = await aether('cp', tree, `${VM}:into`);
    expect(up.code, up.stderr).toBe(0);
    const listing = JSON.parse((await aether('fs', 'ls', VM, 'into', '--json')).stdout);
    expect(listing.entries.map((e: { name: string }) => e.name)).toEqual(['into-tree']);

    const local = path.join(scratch, 'local-into');
    mkdirSync(local);
    const down = await aether('cp', `${VM}:into/into-tree`, local);
    expect(down.code, down.stderr).toBe(0);
    expect(readdirSync(local)).toEqual(['into-tree']);
    expect(manifest(path.join(local, 'into-tree'))).toEqual(manifest(tree));

    // DIR/. copies the contents only.
    const contents = path.join(scratch, 'contents');
    mkdirSync(contents);
    const dot = await aether('cp', `${VM}:into/into-tree/.`, contents);
    expect(dot.code, dot.stderr).toBe(0);
    expect(manifest(contents)).toEqual(manifest(tree));
  }, 120_000);

  it('copies a single file both ways, into directories and under new names, keeping its mode', async () => {
    const file = path.join(scratch, 'tool.sh');
    writeFileSync(file, randomBytes(70_000));
    chmodSync(file, 0o755);
    expect((await aether('cp', file, `${VM}:single/`)).code).toBe(0);
    expect((await aether('cp', file, `${VM}:into`)).code).toBe(0);
    expect((await aether('cp', file, `${VM}:renamed.sh`)).code).toBe(0);
    for (const where of ['single/tool.sh', 'into/tool.sh', 'renamed.sh']) {
      const entry = JSON.parse((await aether('fs', 'stat', VM, where, '--json')).stdout);
      expect(entry, where).toMatchObject({ type: 'file', size: 70_000, mode: 0o755 });
    }
    const dir = path.join(scratch, 'single-back');
    mkdirSync(dir);
    expect((await aether('cp', `${VM}:renamed.sh`, dir)).code).toBe(0);
    expect((await aether('cp', `${VM}:single/tool.sh`, path.join(dir, 'other-name'))).code).toBe(0);
    for (const name of ['renamed.sh', 'other-name']) {
      const copy = path.join(dir, name);
      expect(sha256(readFileSync(copy))).toBe(sha256(readFileSync(file)));
      expect(lstatSync(copy).mode & 0o777).toBe(0o755);
    }
    // No temporary file is left beside them.
    expect(readdirSync(dir).sort()).toEqual(['other-name', 'renamed.sh']);
  }, 120_000);

  it('reads stdin and writes stdout with `-`: raw bytes for a file, tar for a directory', async () => {
    const bytes = randomBytes(500_000);
    const up = await aetherBinary(['cp', '-', `${VM}:from-stdin.bin`], { stdin: bytes });
    expect(up.code, up.stderr).toBe(0);
    const down = await aetherBinary(['cp', `${VM}:from-stdin.bin`, '-']);
    expect(down.code, down.stderr).toBe(0);
    expect(sha256(down.stdout)).toBe(sha256(bytes));

    const tarred = await aetherBinary(['cp', `${VM}:work/tree`, '-']);
    expect(tarred.code, tarred.stderr).toBe(0);
    const tar = await import('tar');
    const names: string[] = [];
    const lister = tar.list({ onReadEntry: (entry) => names.push(entry.path) });
    lister.end(tarred.stdout);
    expect(names).toContain('tree/nested/deeper/deep.bin');

    // An archive on stdin with --archive is unpacked into the directory.
    const again = await aetherBinary(['cp', '--archive', '-', `${VM}:from-tar`], { stdin: tarred.stdout });
    expect(again.code, again.stderr).toBe(0);
    const stat = JSON.parse((await aether('fs', 'stat', VM, 'from-tar/tree/link', '--json')).stdout);
    expect(stat).toMatchObject({ type: 'symlink', target: 'nested/deeper/deep.bin' });
  }, 120_000);

  it('refuses a hostile archive on stdin: no entry lands outside the directory', async () => {
    const { pack } = await import('tar-stream');
    const hostile = pack();
    hostile.entry({ name: '../../outside', type: 'file' }, 'escaped');
    hostile.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of hostile as AsyncIterable<Buffer>) chunks.push(chunk);
    const up = await aetherBinary(['cp', '-a', '-', `${VM}:hostile/x`], { stdin: Buffer.concat(chunks) });
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/ERR_VALIDATION/);
    expect((await aether('fs', 'stat', VM, 'outside')).stderr).toMatch(/ERR_FILE_NOT_FOUND/);
  });

  it('fails with the error code and leaves nothing behind', async () => {
    const missing = await aether('cp', `${VM}:no/such/file`, path.join(scratch, 'never'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^aether: ERR_FILE_NOT_FOUND: /);
    expect(existsSync(path.join(scratch, 'never'))).toBe(false);

    const localMissing = await aether('cp', path.join(scratch, 'nothing-here'), `${VM}:x`);
    expect(localMissing.code).not.toBe(0);
    expect(localMissing.stderr).toMatch(/ERR_FILE_NOT_FOUND/);

    const twoVms = await aether('cp', `${VM}:a`, `${VM}:b`);
    expect(twoVms.stderr).toMatch(/ERR_VALIDATION/);

    const fsMissing = await aether('fs', 'rm', VM, 'no/such/file');
    expect(fsMissing.code).not.toBe(0);
    expect(fsMissing.stderr).toMatch(/ERR_FILE_NOT_FOUND/);
  });

  it("does not let another project's key see the VM's files", async () => {
    const other = await node().client.createKey({ name: 'other team', project: 'other' });
    const read = await aetherBinary(['cp', `${VM}:renamed.sh`, '-'], { token: other.secret });
    expect(read.code).not.toBe(0);
    expect(read.stderr).toMatch(/ERR_VM_NOT_FOUND/);
    expect(read.stdout.length).toBe(0);
    const write = await aetherBinary(['cp', '-', `${VM}:planted`], {
      token: other.secret,
      stdin: Buffer.from('x'),
    });
    expect(write.stderr).toMatch(/ERR_VM_NOT_FOUND/);
    const ls = await aetherBinary(['fs', 'ls', VM, '.'], { token: other.secret });
    expect(ls.stderr).toMatch(/ERR_VM_NOT_FOUND/);
  });

  it('full local disk: the download fails and leaves no partial file', async () => {
    const small = path.join(scratch, 'small-disk');
    mkdirSync(small);
    const mounted = spawnSyncOk('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small]);
    if (!mounted) return; // not root or no tmpfs: nothing to learn here
    try {
      const big = await aether('cp', `${VM}:work/tree/nested/deeper/deep.bin`, path.join(small, 'deep.bin'));
      expect(big.code).not.toBe(0);
      expect(big.stderr).toMatch(/ENOSPC|no space/i);
      expect(readdirSync(small)).toEqual([]);
      const tree = await aether('cp', `${VM}:work/tree`, path.join(small, 'tree'));
      expect(tree.code).not.toBe(0);
      expect(readdirSync(small)).toEqual([]);
    } finally {
      spawnSyncOk('umount', [small]);
    }
  }, 60_000);

  describe('the VM cannot hand out host files through its symlinks', () => {
    it('a link to / inside the VM does not lead to the host /etc/shadow', async () => {
      expect((await aether('exec', VM, '--', 'ln', '-s', '/', 'escape')).code).toBe(0);
      const out = path.join(scratch, 'shadow-copy');
      const copy = await aether('cp', `${VM}:escape/etc/shadow`, out);
      expect(copy.code).not.toBe(0);
      expect(copy.stderr).toMatch(/^aether: ERR_/);
      if (existsSync(out) && existsSync('/etc/shadow')) {
        expect(readFileSync(out)).not.toEqual(readFileSync('/etc/shadow'));
      }
    });

    it('a link to a host file outside the VM does not bring it back', async () => {
      const secretDir = mkdtempSync(path.join(os.tmpdir(), 'aether-host-secret-'));
      const secretFile = path.join(secretDir, 'secret.txt');
      const secret = `host secret ${randomBytes(16).toString('hex')}`;
      writeFileSync(secretFile, secret, { mode: 0o644 });
      chmodSync(secretDir, 0o755);
      try {
        expect((await aether('exec', VM, '--', 'ln', '-s', secretFile, 'host-link')).code).toBe(0);
        const file = await aetherBinary(['cp', `${VM}:host-link`, '-']);
        expect(file.stdout.toString()).not.toContain(secret);
        expect(file.code).not.toBe(0);
        // As part of a tree, the link comes back as the link itself.
        expect(
          (await aether('exec', VM, '--', 'sh', '-c', `mkdir -p linked && ln -sf ${secretFile} linked/l`))
            .code,
        ).toBe(0);
        const tree = path.join(scratch, 'linked');
        const copy = await aether('cp', `${VM}:linked`, tree);
        expect(copy.code, copy.stderr).toBe(0);
        expect(lstatSync(path.join(tree, 'l')).isSymbolicLink()).toBe(true);
        const tarred = await aetherBinary(['cp', `${VM}:linked`, '-']);
        expect(tarred.stdout.toString('latin1')).not.toContain(secret);
      } finally {
        rmSync(secretDir, { recursive: true, force: true });
      }
    });
  });

  it('exec -d, ps, attach and kill: a signalled execution and its setsid child are gone', async () => {
    const script =
      "setsid sh -c 'while true; do date +%s%N > beat; sleep 0.1; done' & echo started; while true; do sleep 1; done";
    const detached = await aether('exec', '-d', VM, '--', 'sh', '-c', script);
    expect(detached.code, detached.stderr).toBe(0);
    const id = detached.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    let listed: { execution_id: string; pid: number | null }[] = [];
    for (let i = 0; i < 50; i++) {
      listed = JSON.parse((await aether('ps', VM, '--json')).stdout);
      if (listed.find((p) => p.execution_id === id)?.pid) break;
      await sleep(200);
    }
    const pid = listed.find((p) => p.execution_id === id)?.pid;
    expect(pid).toBeGreaterThan(0);
    const table = await aether('ps', VM);
    expect(table.stdout).toMatch(new RegExp(`^ID\\s+PID\\s+COMMAND\\s+AGE\\n${id}\\s+${pid}\\s+sh -c`, 'm'));

    const attached = aetherBinary(['attach', id]);
    await sleep(1500);
    const killed = await aether('kill', id);
    expect(killed.code, killed.stderr).toBe(0);
    const attach = await attached;
    expect(attach.stdout.toString()).toContain('started\n');
    expect(attach.code).toBe(128 + 15);

    const execution = await node().client.getExecution(id);
    expect(execution).toMatchObject({ outcome: 'signalled', signal: 'SIGTERM' });
    // The setsid child left the command's session, yet went with it.
    const beat = async () => (await aether('exec', VM, '--', 'cat', 'beat')).stdout;
    const first = await beat();
    await sleep(1000);
    expect(await beat()).toBe(first);

    expect(
      JSON.parse((await aether('ps', VM, '--json')).stdout).map(
        (p: { execution_id: string }) => p.execution_id,
      ),
    ).not.toContain(id);
    const all = JSON.parse((await aether('ps', VM, '--all', '--json')).stdout);
    expect(all.map((e: { id: string }) => e.id)).toContain(id);

    const again = await aether('kill', id, '--signal', 'SIGKILL');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/ERR_EXECUTION_NOT_RUNNING/);
    const bogus = await aether('kill', id, '--signal', 'STOP');
    expect(bogus.stderr).toMatch(/ERR_VALIDATION/);

    // Attaching to an ended execution replays its output (after a seq: only what follows).
    const replay = await aetherBinary(['attach', id]);
    expect(replay).toMatchObject({ code: 143 });
    expect(replay.stdout.toString()).toBe('started\n');
    const after = await aetherBinary(['attach', id, '--after', '1']);
    expect(after.stdout.toString()).toBe('');
  }, 120_000);

  it('exec -d --json prints the accepted execution; --timeout 0 is accepted', async () => {
    const detached = await aether('exec', VM, '-d', '--json', '--timeout', '0', '--', 'true');
    expect(detached.code, detached.stderr).toBe(0);
    expect(JSON.parse(detached.stdout)).toMatchObject({ execution_id: expect.any(String) });
  });

  it('exec -i streams 100 MiB of stdin through sha256sum', async () => {
    const hash = createHash('sha256');
    const source = (async function* () {
      for await (const chunk of seededBytes(100, 'aether exec -i')) {
        hash.update(chunk);
        yield chunk;
      }
    })();
    const run = await aetherBinary(['exec', '-i', VM, '--', 'sha256sum'], { stdin: source });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.toString().trim()).toBe(`${hash.digest('hex')}  -`);
  }, 180_000);

  it('exec -i with a command that stops reading early ends quietly with its code', async () => {
    const run = await aetherBinary(['exec', '-i', VM, '--', 'head', '-c', '5'], {
      stdin: seededBytes(8, 'early stop'),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.length).toBe(5);
    expect(run.stderr).toBe('');
  }, 60_000);
});

function spawnSyncOk(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}
