/**
 * MicroVMs through the whole platform: an embedded node running the qemu driver, driven by the
 * real CLI and the REST API. Under software emulation a boot takes tens of seconds here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findVmImage, listVmImages } from '../../src/images/index.js';
import { IMAGE_DATA_DIR, qemuAvailable } from '../support/backends.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';

const available = await qemuAvailable();

/** A git repository served read-only over HTTP ("dumb" protocol) from this host. */
async function serveRepository(): Promise<{ url: (host: string) => string; server: Server; dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aether-git-'));
  const work = path.join(dir, 'work');
  const git = (args: string[], cwd = work) => execFileSync('git', args, { cwd, stdio: 'pipe' });
  execFileSync('git', ['init', '-q', '-b', 'main', work]);
  execFileSync('sh', ['-c', 'echo "served from the host" > README && mkdir src && echo 42 > src/answer'], {
    cwd: work,
  });
  git(['-c', 'user.email=t@example.org', '-c', 'user.name=t', 'add', '.']);
  git(['-c', 'user.email=t@example.org', '-c', 'user.name=t', 'commit', '-qm', 'first']);
  execFileSync('git', ['clone', '-q', '--bare', work, path.join(dir, 'repo.git')]);
  git(['update-server-info'], path.join(dir, 'repo.git'));
  const server = createServer((req, res) => {
    const file = path.normalize(
      path.join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)),
    );
    if (!file.startsWith(path.join(dir, 'repo.git'))) {
      res.writeHead(404).end();
      return;
    }
    try {
      res.writeHead(200).end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: (host) => `http://${host}:${port}/repo.git`, server, dir };
}

describe.skipIf(!available)('qemu microVMs end to end', { timeout: 600_000 }, () => {
  let node: TestNode;

  beforeAll(async () => {
    node = await startTestNode({
      AETHER_DRIVERS: 'process,qemu',
      AETHER_IMAGE_DIR: IMAGE_DATA_DIR,
      AETHER_CREATE_TIMEOUT_MS: '300000',
    });
  }, 120_000);
  afterAll(async () => {
    await node?.stop();
  });

  it('`aether vm create --driver qemu` then `aether exec -- uname -a` shows the guest kernel', async () => {
    const image = (await listVmImages(IMAGE_DATA_DIR))[0]!;
    const created = await runCli(node.url, ['vm', 'create', 'micro', '--driver', 'qemu']);
    expect(created.code, created.stderr).toBe(0);
    const uname = await runCli(node.url, ['exec', 'micro', '--', 'uname', '-a']);
    expect(uname.code, uname.stderr).toBe(0);
    expect(uname.stdout).toContain(image.manifest.kernel.release);
    expect(uname.stdout).not.toContain(os.release());
    const vm = await node.client.getVm('micro');
    expect(vm.isolation).toMatchObject({ kernel: 'dedicated' });
    expect(vm.isolation?.level).toMatch(/^microvm-(kvm|tcg)$/);
    await node.client.deleteVm('micro', { wait: true });
  });

  it('three VMs clone a repository served from the host at the same time, each seeing the right files', async () => {
    const repo = await serveRepository();
    try {
      const names = ['clone-a', 'clone-b', 'clone-c'];
      await Promise.all(
        names.map((name) => node.client.createVm({ name, driver: 'qemu', network: true }, { wait: true })),
      );
      // QEMU's user-mode network reaches the host's loopback at 10.0.2.2.
      const results = await Promise.all(
        names.map((name) =>
          node.client.execute(
            name,
            {
              command: 'sh',
              args: [
                '-c',
                `git clone -q ${repo.url('10.0.2.2')} repo && cat repo/README repo/src/answer && echo ${name} > repo/mine`,
              ],
              timeout_ms: 240_000,
            },
            { wait: true },
          ),
        ),
      );
      for (const result of results) {
        expect(result.execution, JSON.stringify(result.execution)).toMatchObject({ exit_code: 0 });
        expect(result.execution?.stdout).toBe('served from the host\n42\n');
      }
      for (const name of names) {
        const mine = await node.client.execute(name, { command: 'cat', args: ['repo/mine'] }, { wait: true });
        expect(mine.execution?.stdout).toBe(`${name}\n`); // no VM sees another's writes
      }
      await Promise.all(names.map((name) => node.client.deleteVm(name, { wait: true })));
    } finally {
      repo.server.close();
      rmSync(repo.dir, { recursive: true, force: true });
    }
  });

  it('names the command that builds a missing microVM image', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'aether-noimage-'));
    try {
      await expect(findVmImage(empty)).rejects.toThrow(/aether image build --vm/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
