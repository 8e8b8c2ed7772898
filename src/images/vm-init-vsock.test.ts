/**
 * The guest init's vsock branch, run for real: the exact `/sbin/aether-init` text as PID 1 of
 * fresh mount, UTS, network and PID namespaces on this host (as root), with the kernel command
 * line bound over /proc/cmdline, empty /run, /home and /opt (the agent bundle at its guest
 * path), and a /dev whose console and ttyS0 lead to files the test reads (through a bind mount
 * in /run: the init mounts a tmpfs over /tmp). Real tini, Node, agent
 * and socat. It shows that the agent serves on its Unix socket and that socat holds the vsock
 * port (a second listener on it is refused), and is restarted when it dies. A vsock connection
 * through the relay is not made: vsock loopback does not work on these hosts (no vhost-vsock).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AgentClient } from '../protocol/client.js';
import { GUEST_AGENT_SOCKET, GUEST_INIT_SCRIPT, VM_INIT_MARKER } from './vm-init-scripts.js';

const has = (program: string) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
const missing = ['unshare', 'socat', 'mount', 'mknod'].filter((p) => !has(p));
if (!existsSync('/usr/bin/tini')) missing.push('/usr/bin/tini');
if (!existsSync('/usr/bin/node')) missing.push('/usr/bin/node');
const skipReason =
  process.getuid?.() !== 0
    ? 'running the guest init in namespaces of its own needs root'
    : missing.length > 0
      ? `missing on this host: ${missing.join(', ')}`
      : !existsSync('/dev/vsock')
        ? 'no /dev/vsock: this host has no AF_VSOCK for socat to listen on'
        : null;
if (skipReason) console.warn(`[skip] guest init vsock branch: ${skipReason}`);

/** Prepares the namespaces' file systems, then execs the init as PID 1. */
const WRAPPER = `set -e
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir /run/host
mount --bind "$1" /run/host
mount -t tmpfs -o mode=0755 tmpfs /home
mount -t tmpfs -o mode=0755 tmpfs /opt
mkdir -p /opt/aether
cp "$1/agent.mjs" /opt/aether/agent.mjs
mount --bind "$1/cmdline" /proc/cmdline
mount -t tmpfs -o mode=0755 tmpfs /dev
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/random c 1 8
mknod -m 666 /dev/urandom c 1 9
ln -s /run/host/console /dev/console
ln -s /run/host/ttyS0 /dev/ttyS0
exec sh "$1/init.sh"
`;

interface Guest {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The init's pid as this host sees it (PID 1 inside). */
  initPid(): number | null;
  /** What the guest wrote to its console or ttyS0 so far. */
  output(name: 'console' | 'ttyS0'): string;
}

function bootGuest(dir: string, cmdline: string): Guest {
  writeFileSync(join(dir, 'cmdline'), `${cmdline}\n`);
  writeFileSync(join(dir, 'console'), '');
  writeFileSync(join(dir, 'ttyS0'), '');
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--uts',
      '--net',
      '--pid',
      '--fork',
      '--kill-child',
      '--mount-proc',
      '--propagation',
      'private',
      'sh',
      join(dir, 'wrapper.sh'),
      dir,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  exited.then((code) => {
    if (code !== 0 && stderr) console.warn(`guest init exited ${code}: ${stderr}`);
  });
  const initPid = () => {
    try {
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
      return children ? Number(children.split(' ')[0]) : null;
    } catch {
      return null;
    }
  };
  return {
    child,
    exited,
    initPid,
    output: (name) => readFileSync(join(dir, name), 'utf8'),
  };
}

async function until<T>(
  what: string,
  probe: () => T | null | Promise<T | null>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** True when a second listener on the vsock port is refused: something holds it. */
function vsockPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn('socat', ['-u', `VSOCK-LISTEN:${port}`, 'OPEN:/dev/null'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    probe.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const timer = setTimeout(() => probe.kill('SIGKILL'), 1_000);
    probe.once('exit', () => {
      clearTimeout(timer);
      resolve(/Address already in use/.test(stderr));
    });
  });
}

/** Host pids of processes whose command line holds `needle`. */
function pidsMatching(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').includes(needle))
        pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

describe.skipIf(skipReason !== null)(
  'guest init with aether.agent=vsock:<port> (run for real)',
  { timeout: 60_000 },
  () => {
    let dir: string;
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    let guest: Guest;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'aether-vinit-'));
      chmodSync(dir, 0o755);
      writeFileSync(join(dir, 'wrapper.sh'), WRAPPER);
      writeFileSync(join(dir, 'init.sh'), GUEST_INIT_SCRIPT);
      writeFileSync(join(dir, 'agent.mjs'), readFileSync(inject('agentBundlePath')));
      guest = bootGuest(
        dir,
        `console=ttyS0 reboot=k panic=1 init=/sbin/aether-init aether.agent=vsock:${port} aether.net=none`,
      );
    });
    afterAll(async () => {
      guest?.child.kill('SIGKILL');
      await guest?.exited;
      rmSync(dir, { recursive: true, force: true });
    });

    it('serves the agent on its Unix socket and the vsock port through socat, restarting a relay that dies', async () => {
      await until('the init marker on ttyS0', () => guest.output('ttyS0').includes(VM_INIT_MARKER));
      expect(guest.output('ttyS0')).toMatch(
        /^aether-init: up at [\d.]+ s, network none, starting the agent\n$/,
      );
      const socket = `/proc/${guest.initPid()}/root${GUEST_AGENT_SOCKET}`;
      await until('the agent socket', () => existsSync(socket));
      const agent = new AgentClient(
        await until(
          'a connection to the agent',
          () =>
            new Promise<ReturnType<typeof connect> | null>((resolve) => {
              const s = connect(socket);
              s.once('connect', () => resolve(s));
              s.once('error', () => resolve(null));
            }),
        ),
      );
      try {
        await agent.ping();
        let out = '';
        const result = await agent.exec(
          { argv: ['sh', '-c', 'hostname; pwd; ls -ld /run/aether | cut -c1-10'], timeoutMs: 10_000 },
          {
            onStdout: (chunk) => {
              out += new TextDecoder().decode(chunk);
            },
          },
        );
        expect(result.exitCode).toBe(0);
        expect(out).toBe('aether\n/home/user\ndrwx------\n');
      } finally {
        await agent.close();
      }

      await until('socat listening on the vsock port', () => vsockPortTaken(port));
      const [relay] = await until('the relay process', () => {
        const found = pidsMatching(`VSOCK-LISTEN:${port},fork,reuseaddr`);
        return found.length > 0 ? found : null;
      });
      process.kill(relay!, 'SIGKILL');
      await until('the restart on the console', () =>
        guest
          .output('console')
          .includes(`the vsock relay on port ${port} exited (137); restarting it in 1 s`),
      );
      await until('a new relay', () => {
        const found = pidsMatching(`VSOCK-LISTEN:${port},fork,reuseaddr`).filter((pid) => pid !== relay);
        return found.length > 0 ? found : null;
      });
      expect(await until('the port held again', () => vsockPortTaken(port))).toBe(true);
    });

    it.each([
      ['a leading zero', 'vsock:09999', /invalid aether\.agent=vsock:09999 on the kernel command line/],
      ['a port past 2^32-1', 'vsock:4294967296', /invalid aether\.agent=vsock:4294967296/],
      ['a word', 'vsock:abc', /invalid aether\.agent=vsock:abc/],
      [
        'an unknown transport',
        'tcp:80',
        /unknown aether\.agent=tcp:80 on the kernel command line: serial or vsock:<port>/,
      ],
    ])('stops at boot on %s, saying why on the console', async (_, value, message) => {
      const bad = mkdtempSync(join(tmpdir(), 'aether-vinit-'));
      chmodSync(bad, 0o755);
      for (const name of ['wrapper.sh', 'init.sh', 'agent.mjs'])
        writeFileSync(join(bad, name), readFileSync(join(dir, name)));
      const failed = bootGuest(bad, `aether.agent=${value} aether.net=none`);
      try {
        expect(await failed.exited).toBe(1);
        expect(failed.output('console')).toMatch(message);
      } finally {
        rmSync(bad, { recursive: true, force: true });
      }
    });
  },
);
