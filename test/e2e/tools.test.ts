import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AetherApiError } from '@aetherium/sdk';
import { describe, expect, it } from 'vitest';
import { useTestNode } from '../support/embedded-node.js';
import { runCli } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

/**
 * Tools on process VMs, which run the host's own /usr and have no network: what the host has is
 * found by its version command and recorded; what it lacks cannot be installed.
 */
const canRun = await sandboxesAvailable('tool provisioning');

const node = useTestNode(canRun, { AETHER_DEFAULT_TOOLS: 'git,node,bun' });

async function post(body: unknown) {
  const res = await fetch(`${node().url}/api/v1/vms`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${node().node.localAdminKey}`, 'content-type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
}

async function failure(promise: Promise<unknown>): Promise<AetherApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AetherApiError);
  return error as AetherApiError;
}

describe.skipIf(!canRun)('tool requests at the door', () => {
  it.each([
    [{ name: 'bad-tool', additional_tools: ['cobol'] }, /additional_tools.*must be a known tool: git, node/],
    [{ name: 'bad-version', tool_versions: { go: 'newest' } }, /tool_versions.*dotted numbers/],
    [{ name: 'bad-version-key', tool_versions: { cobol: '1.0' } }, /tool_versions.*must be a known tool/],
    [{ name: 'bad-list', additional_tools: 'go,python' }, /additional_tools/],
    [{ name: 'bad-option', version_of_tools: {} }, /version_of_tools/],
  ])('refuses %j with 400 ERR_VALIDATION', async (body, message) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('ERR_VALIDATION');
    expect(res.body.error?.message).toMatch(message);
  });
});

describe.skipIf(!canRun)('tools of a VM without network', () => {
  it('finds the tools the VM has, lists the default ones it lacks, and shows them in vm get', async () => {
    const created = await node().client.createVm(
      { name: 'tools-present', additional_tools: ['git'], tool_versions: { node: '20' } },
      { wait: true },
    );
    expect(created.vm.status).toBe('running');
    const tools = created.vm.tools!;
    expect(tools.requested).toEqual([
      { name: 'git', version: null, required: true },
      { name: 'node', version: '20', required: true },
      { name: 'bun', version: null, required: false },
    ]);
    expect(tools.installed).toEqual([
      { name: 'git', version: expect.stringMatching(/^\d+\.\d+/), origin: 'image' },
      { name: 'node', version: expect.stringMatching(/^20\./), origin: 'image' },
    ]);
    expect(tools.missing).toEqual([
      {
        name: 'bun',
        version: null,
        reason: expect.stringMatching(/npm: the guest has no npm command|the VM has no network/),
      },
    ]);
    expect(tools.path_dirs).toEqual([]);

    const task = await node().client.getTask(created.task_id);
    expect(task.progress).toMatchObject({
      phase: 'tools',
      current: 0,
      total: 3,
      message: 'checking 3 tools',
    });

    const shown = await runCli(node().url, ['vm', 'get', 'tools-present']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/tools +git [\d.]+ \(image\), node 20\.[\d.]+ \(image\)/);
    expect(shown.stdout).toMatch(/missing +bun \(/);
    const taskShown = await runCli(node().url, ['task', 'get', created.task_id]);
    expect(taskShown.stdout).toMatch(/progress +tools 0\/3: checking 3 tools/);
  });

  it('probes an image once: the next VM of it is created with the same findings, without asking again', async () => {
    const request = { additional_tools: ['git'], tool_versions: { node: '20' } };
    const first = await node().client.createVm({ name: 'tools-probed', ...request }, { wait: true });
    const second = await node().client.createVm({ name: 'tools-remembered', ...request }, { wait: true });
    expect(second.vm.status).toBe('running');
    expect(second.vm.tools).toEqual(first.vm.tools);
    // A probe reports its progress first ('checking 3 tools'); the remembered answer needs none.
    expect((await node().client.getTask(second.task_id)).progress).toBeNull();
    await node().client.deleteVm('tools-probed', { wait: true });
    await node().client.deleteVm('tools-remembered', { wait: true });
  });

  it('fails the create with ERR_TOOL_NEEDS_NETWORK when a requested tool must be installed', async () => {
    const error = await failure(
      node().client.createVm({ name: 'tools-offline', additional_tools: ['typescript'] }, { wait: true }),
    );
    expect(error.code).toBe('ERR_TOOL_NEEDS_NETWORK');
    expect(error.message).toMatch(/typescript must be installed and the VM has no network/);
    expect(error.message).toMatch(/aether image build --tools typescript/);
    const vm = await node().client.getVm(
      (await node().client.listVms({ includeDeleted: true })).find((v) => v.name === 'tools-offline')!.id,
    );
    expect(vm.status).toBe('failed');
  });

  it('fails with ERR_TOOL_UNAVAILABLE naming the sources when no source has the version', async () => {
    const error = await failure(
      node().client.createVm({ name: 'tools-nosuch', tool_versions: { git: '99.1' } }, { wait: true }),
    );
    expect(error.code).toBe('ERR_TOOL_UNAVAILABLE');
    expect(error.message).toMatch(
      /git 99\.1 cannot be had here\. Sources tried: image: the VM has git [\d.]+; debian: /,
    );
    expect(error.body).toMatchObject({ error: { details: { tool: 'git', version: '99.1' } } });
  });

  it('shows --tools and --tool-versions errors of the CLI before sending anything', async () => {
    const bad = await runCli(node().url, ['vm', 'create', 'cli-bad', '--tool-versions', 'go']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--tool-versions: "go" must be NAME=VERSION/);
    const unknown = await runCli(node().url, ['vm', 'create', 'cli-unknown', '--tools', 'cobol']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/must be a known tool/);
  });
});

describe('aether image build --tools, before building anything', () => {
  it('refuses unknown tools, and npm-sourced tools with --vm, naming the flag', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aether-tools-cli-'));
    try {
      const unknown = await runCli('http://127.0.0.1:9', [
        'image',
        'build',
        '--tools',
        'cobol',
        '--data-dir',
        dataDir,
      ]);
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toMatch(/additional_tools: unknown tool "cobol"; known tools: git/);
      const vm = await runCli('http://127.0.0.1:9', [
        'image',
        'build',
        '--vm',
        '--tools',
        'git,typescript',
        '--data-dir',
        dataDir,
      ]);
      expect(vm.code).not.toBe(0);
      expect(vm.stderr).toMatch(
        /--tools: typescript come from npm, which is baked into the rootfs and Docker image only/,
      );
      const version = await runCli('http://127.0.0.1:9', [
        'image',
        'build',
        '--tools',
        'go',
        '--tool-versions',
        'go=x',
        '--data-dir',
        dataDir,
      ]);
      expect(version.stderr).toMatch(/version "x" of go must be dotted numbers/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
