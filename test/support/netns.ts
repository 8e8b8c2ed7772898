/**
 * Network namespaces for host-networking tests: a test plays the host inside a namespace of its
 * own, so bridges, TAPs, nftables tables and traffic never touch the machine's real network.
 * Every namespace is named `aether-test-<random>-<role>` and deleted in `destroy`, which also
 * ends the processes started in it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createCommandRunner } from '../../src/network/host-commands.js';
import { requireBackend } from './backends.js';

const SBIN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function has(tool: string, versionFlag: string): boolean {
  try {
    execFileSync(tool, [versionFlag], { stdio: 'ignore', env: { PATH: SBIN_PATH } });
    return true;
  } catch {
    return false;
  }
}

/** Root, `ip` and `nft`, and a namespace can be made: else skip (a failure under CI). */
export async function netnsAvailable(): Promise<boolean> {
  let reason: string | null = null;
  if (process.getuid?.() !== 0) reason = 'they need root (network namespaces, bridges, nftables)';
  else if (!has('ip', '-V')) reason = '`ip` is missing: apt-get install iproute2';
  else if (!has('nft', '--version')) reason = '`nft` is missing: apt-get install nftables';
  else {
    const probe = `aether-probe-${randomBytes(4).toString('hex')}`;
    try {
      execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe', env: { PATH: SBIN_PATH } });
      execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe', env: { PATH: SBIN_PATH } });
    } catch (error) {
      reason = `cannot make a network namespace: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  return requireBackend('host networking', reason === null, reason ?? '');
}

export interface Namespace {
  name: string;
  /** Runs a command inside the namespace (argv, no shell). */
  run: ReturnType<typeof createCommandRunner>;
}

export interface NetnsLab {
  prefix: string;
  namespace(role: string): Promise<Namespace>;
  /** Starts a long-lived `node -e script` in a namespace; resolves once it printed `ready`. */
  serve(ns: Namespace, script: string, args: string[]): Promise<ChildProcess>;
  /** Runs `node -e script` in a namespace and returns its stdout. */
  node(ns: Namespace, script: string, args: string[]): Promise<string>;
  destroy(): Promise<void>;
}

export function createNetnsLab(): NetnsLab {
  const prefix = `aether-test-${randomBytes(3).toString('hex')}`;
  const names: string[] = [];
  const children: ChildProcess[] = [];
  const inNs = (name: string, script: string, args: string[]) =>
    spawn('ip', ['netns', 'exec', name, process.execPath, '-e', script, ...args], {
      env: { PATH: SBIN_PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  return {
    prefix,
    async namespace(role) {
      const name = `${prefix}-${role}`;
      execFileSync('ip', ['netns', 'add', name], { env: { PATH: SBIN_PATH } });
      names.push(name);
      const ns = { name, run: createCommandRunner(['ip', 'netns', 'exec', name]) };
      await ns.run(['ip', 'link', 'set', 'lo', 'up']);
      return ns;
    },
    serve(ns, script, args) {
      const child = inNs(ns.name, script, args);
      children.push(child);
      return new Promise((resolve, reject) => {
        let out = '';
        let err = '';
        child.stderr!.on('data', (chunk: Buffer) => {
          err += chunk.toString();
        });
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('ready')) resolve(child);
        });
        child.once('exit', (code) => reject(new Error(`server in ${ns.name} exited (${code}): ${err}`)));
      });
    },
    node(ns, script, args) {
      const child = inNs(ns.name, script, args);
      return new Promise((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
        });
        child.stderr!.on('data', (chunk: Buffer) => {
          err += chunk.toString();
        });
        child.once('exit', (code) =>
          code === 0 ? resolve(out.trim()) : reject(new Error(err || `exit ${code}`)),
        );
      });
    },
    async destroy() {
      for (const child of children) child.kill('SIGKILL');
      for (const name of names.reverse()) {
        try {
          execFileSync('ip', ['netns', 'del', name], { stdio: 'pipe', env: { PATH: SBIN_PATH } });
        } catch (error) {
          console.error(`could not delete network namespace ${name}: ${(error as Error).message}`);
        }
      }
    },
  };
}

/** `node -e` server: answers every TCP connection with the peer's address, then closes. */
export const ECHO_PEER_SERVER = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
net.createServer((s) => s.end(s.remoteAddress + '\\n')).listen(Number(port), host, () => console.log('ready'));
`;

/** `node -e` client: prints `ok <answer>` or `fail <error code>` within the timeout. */
export const CONNECT_PROBE = `
const net = require('node:net');
const [host, port, ms] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port), timeout: Number(ms) });
let data = '';
s.on('data', (d) => (data += d));
s.on('end', () => { console.log('ok ' + data.trim()); process.exit(0); });
s.on('timeout', () => { console.log('fail ETIMEDOUT'); process.exit(0); });
s.on('error', (e) => { console.log('fail ' + e.code); process.exit(0); });
`;

/** Addresses of the lab's world, as `createUplinkedHost` lays it out. */
export const LAB = {
  uplinkHost: '203.0.113.1',
  uplinkOutside: '203.0.113.2',
  /** Stands for the internet. */
  publicAddress: '198.51.100.10',
  privateAddress: '10.200.0.2',
  metadataAddress: '169.254.169.254',
  /** Where the outside echoes the peer address. */
  servicePort: '8080',
  /** Where the host's own echo service listens, on every address. */
  hostServicePort: '8081',
} as const;

/**
 * A `host` namespace whose default route goes over a veth to an `out` namespace holding a public,
 * a private and the metadata address, each answering on LAB.servicePort with the peer address;
 * the host runs a service of its own on LAB.hostServicePort.
 */
export async function createUplinkedHost(lab: NetnsLab): Promise<{ host: Namespace; outside: Namespace }> {
  const host = await lab.namespace('host');
  const outside = await lab.namespace('out');
  await host.run(['ip', 'link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'up1', 'netns', outside.name]);
  await host.run(['ip', 'addr', 'add', `${LAB.uplinkHost}/24`, 'dev', 'up0']);
  await host.run(['ip', 'link', 'set', 'up0', 'up']);
  await host.run(['ip', 'route', 'add', 'default', 'via', LAB.uplinkOutside]);
  await outside.run(['ip', 'addr', 'add', `${LAB.uplinkOutside}/24`, 'dev', 'up1']);
  for (const address of [LAB.publicAddress, LAB.privateAddress, LAB.metadataAddress])
    await outside.run(['ip', 'addr', 'add', `${address}/32`, 'dev', 'lo']);
  await outside.run(['ip', 'link', 'set', 'up1', 'up']);
  await lab.serve(outside, ECHO_PEER_SERVER, ['0.0.0.0', LAB.servicePort]);
  await lab.serve(host, ECHO_PEER_SERVER, ['0.0.0.0', LAB.hostServicePort]);
  return { host, outside };
}
