/**
 * What the tunnel benchmark and its profile measure through: an `aether up` (process driver) in
 * its own process, one VM whose background execution serves hello-server.ts on its loopback, the
 * same app on this host (with a bare relay chain of as many hops in front of it), `aether
 * port-forward` to the VM's app in a process of its own, and a preview URL of the app when the
 * gateway makes them. `stop` ends every piece and the VM.
 */
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAetherUp } from './aether-up.js';
import { startBareRelayChain } from './bare-relay-chain.js';
import { childEnv } from './child-env.js';
import { cliPackage } from './cli-package.js';
import { HELLO_SERVER_SOURCE, startHostHelloServer } from './hello-server.js';
import { startPortForward } from './port-forward-process.js';

/** Where the app listens inside the VM (the VM's own loopback). */
export const GUEST_PORT = 3000;

export interface TunnelRig {
  /** The app on this host, reached directly. */
  directUrl: string;
  /** The app on this host, through bare-relay-chain.ts. */
  bareRelayUrl: string;
  /** The app in the VM, through the port-forward process. */
  portForwardUrl: string;
  /** The app in the VM, through a preview URL; or why there is none. */
  preview: { url: string } | { skipped: string };
  pids: { aetherUp: number; portForward: number };
  stop(): Promise<string[]>;
}

/** Until the app answers through `url` (it binds a moment after its execution starts). */
async function untilServing(url: string): Promise<void> {
  let last = '';
  for (let i = 0; i < 150; i++) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`the app did not answer through ${url}: ${last}`);
}

/**
 * `profileDir`: `aether up` and the port-forward process write a CPU profile there on exit.
 */
export async function startTunnelRig(
  log: (line: string) => void,
  profileDir?: string | undefined,
): Promise<TunnelRig> {
  const { bin } = await cliPackage(log);
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  // Every request through a preview URL counts against the rate limit of the caller's address.
  const node = await startAetherUp({ AETHER_RATE_LIMIT_MAX: '1000000000' }, log, nodeArgs);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    const problems: string[] = [];
    for (const each of stops.reverse()) await each().catch((error: Error) => problems.push(error.message));
    problems.push(...(await node.stop()));
    return problems;
  };
  try {
    const host = await startHostHelloServer();
    stops.push(host.stop);
    const relay = await startBareRelayChain(host.port);
    stops.push(relay.stop);
    // As many vCPUs as the host has cores: the app in the VM may use what the one here may.
    const { vm } = await node.client.createVm(
      { name: 'bench-ports', vcpus: Math.min(availableParallelism(), 64) },
      { wait: true },
    );
    await node.client.execute(vm.id, {
      command: 'node',
      args: ['-e', HELLO_SERVER_SOURCE, String(GUEST_PORT)],
      timeout_ms: 0,
    });
    const forward = await startPortForward(
      bin,
      vm.id,
      GUEST_PORT,
      childEnv({ AETHER_URL: node.url, AETHER_TOKEN: node.token ?? '' }),
      nodeArgs,
    );
    stops.push(forward.stop);
    await untilServing(forward.url);
    let preview: TunnelRig['preview'];
    try {
      const made = await node.client.createPreview(vm.id, GUEST_PORT, { expiresIn: '1h' });
      await untilServing(made.url);
      preview = { url: made.url };
    } catch (error) {
      preview = { skipped: `no working preview URL: ${(error as Error).message}` };
    }
    return {
      directUrl: host.url,
      bareRelayUrl: relay.url,
      portForwardUrl: forward.url,
      preview,
      pids: { aetherUp: node.pid, portForward: forward.pid },
      stop,
    };
  } catch (error) {
    for (const problem of await stop()) log(`warning: ${problem}`);
    throw error;
  }
}
