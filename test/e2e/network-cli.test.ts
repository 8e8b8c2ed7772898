/**
 * `aether network setup | status | teardown` as a person runs them, as root, but inside a network
 * namespace made here: the CLI process itself runs in it (`ip netns exec`), so the bridge and the
 * rules it makes never touch the machine's network.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetnsLab, type Namespace, type NetnsLab, netnsAvailable } from '../support/netns.js';
import { runCommand } from '../support/run-command.js';

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'cli-entry.ts');
const available = await netnsAvailable();

describe.skipIf(!available)('aether network commands', { timeout: 120_000 }, () => {
  let lab: NetnsLab;
  let host: Namespace;

  beforeAll(async () => {
    lab = createNetnsLab();
    console.info(`network namespaces: ${lab.prefix}-*`);
    host = await lab.namespace('cli');
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  const aether = (args: string[]) =>
    runCommand(['ip', 'netns', 'exec', host.name, process.execPath, '--import', 'tsx', ENTRY, ...args], {
      // The network section from the environment, as a host's service unit would set it.
      env: { ...process.env, AETHER_NETWORK_BRIDGE: 'aeth-cli0', AETHER_NETWORK_CIDR: '172.31.7.1/24' },
      timeoutMs: 60_000,
    });

  it('sets the host up once, reports it ready, changes nothing the second time, and tears it down', async () => {
    const before = await aether(['network', 'status']);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('no bridge aeth-cli0');

    const setup = await aether(['network', 'setup', '--tap-pool', '2', '--json']);
    expect(setup.code, setup.stderr).toBe(0);
    const { changes } = JSON.parse(setup.stdout) as { changes: string[] };
    expect(changes).toContain('created bridge aeth-cli0');
    expect(changes).toContain('gave aeth-cli0 the address 172.31.7.1/24');
    expect(changes).toContain('made pool TAP aethpool1');

    const again = await aether(['network', 'setup', '--tap-pool', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe('host network already set up; nothing changed');

    const status = await aether(['network', 'status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      bridge: { name: 'aeth-cli0', exists: true, up: true, addresses: ['172.31.7.1/24'] },
      rules: 'current',
      poolTaps: ['aethpool0', 'aethpool1'],
      problems: [],
    });

    const teardown = await aether(['network', 'teardown']);
    expect(teardown.code, teardown.stderr).toBe(0);
    expect(teardown.stdout).toContain('deleted bridge aeth-cli0');
    expect((await aether(['network', 'status'])).code).toBe(1);
  });

  it('refuses a bad setting before touching the host, naming it', async () => {
    const bad = await runCommand(
      ['ip', 'netns', 'exec', host.name, process.execPath, '--import', 'tsx', ENTRY, 'network', 'setup'],
      { env: { ...process.env, AETHER_NETWORK_CIDR: '172.31.7.0/24' }, timeoutMs: 60_000 },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('AETHER_NETWORK_CIDR');
    expect((await host.run(['ip', '-j', 'link', 'show'])).stdout).not.toContain('aetherium0');
  });
});
