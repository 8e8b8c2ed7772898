/**
 * Test support: what the fake Firecracker shows of a guest. Its vsock device is a Unix socket
 * speaking Firecracker's hybrid-vsock handshake (`CONNECT <port>\n` → `OK <host port>\n`, then
 * raw bytes); while the guest "boots", or on a port nobody listens on, a connection is closed
 * after the CONNECT line with no answer, as Firecracker does when the guest answers with RST.
 * Once booted, the guest's init line goes to the serial console and the real agent bundle runs
 * as a host process listening on a Unix socket, which each accepted vsock connection is bridged
 * to: the host side is exercised end to end against the real agent.
 *
 * Paused (`PATCH /vm Paused`), the guest answers nothing: new connections wait and open ones
 * stall until it resumes. A snapshot resets its open connections (the vsock transport reset
 * Firecracker sends) and saves its "memory": here, the files in the agent's home. A guest
 * restored from it gets those files back and its agent listens at once, with no boot.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  appendFileSync,
  type Dirent,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname, join, relative } from 'node:path';

/** What a fake snapshot keeps of the guest: its home's files, by path relative to the home. */
export type FakeGuestMemory = Record<string, string>;

/** Firecracker allocates host-side ports from 2^30 upward. */
const FIRST_HOST_PORT = 1 << 30;
/** Firecracker reads a CONNECT line through a 32-byte buffer. */
const MAX_CONNECT_LINE = 32;

export interface FakeGuestOptions {
  /** The real agent bundle to run once booted; without it nothing ever answers on vsock. */
  agentBundle?: string;
  /** Where the agent's socket and home go (host paths). */
  workDir: string;
  /** Time from InstanceStart to the agent being spawned. Default 100 ms. */
  bootDelayMs?: number;
  /**
   * What a connection gets before the agent listens: `close` (the guest's RST: EOF, no answer;
   * the default) or `silent` (the connection stays open and nothing ever answers).
   */
  whileBooting?: 'close' | 'silent';
}

/** What the guest learns at boot, from the VM's configuration. */
export interface FakeBoot {
  /** Where the guest's console lines go; null = the fake's stdout (Firecracker's default). */
  serialPath: string | null;
  /** The vsock port the agent listens on (the kernel command line's `aether.agent=vsock:N`). */
  agentPort: number | null;
}

export class FakeGuest {
  private booted: FakeBoot | null = null;
  private vsockServer: Server | null = null;
  private agent: ChildProcess | null = null;
  private agentSocket: string | null = null;
  private nextHostPort = FIRST_HOST_PORT;
  private readonly bridges = new Set<Socket>();
  private stopped = false;
  private paused = false;
  /** Connections that came while paused, answered on resume. */
  private readonly waiting: Socket[] = [];

  constructor(private readonly options: FakeGuestOptions) {}

  /** Binds the vsock device's socket; fails like bind(2) when the path exists. */
  listenVsock(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.onVsockConnection(socket));
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        this.vsockServer = server;
        resolve();
      });
    });
  }

  /** The guest boots: after the delay, the init line and (when given a bundle) the agent. */
  boot(boot: FakeBoot): void {
    this.booted = boot;
    setTimeout(() => {
      if (this.stopped) return;
      this.console('aether-init: up at 0.05 s, network none, starting the agent');
      if (this.options.agentBundle) this.startAgent(this.options.agentBundle);
    }, this.options.bootDelayMs ?? 100).unref();
  }

  /** The guest restored from a snapshot: its files back, its agent listening at once. */
  restore(boot: FakeBoot, memory: FakeGuestMemory): void {
    this.booted = boot;
    const home = this.home;
    for (const [path, data] of Object.entries(memory)) {
      mkdirSync(dirname(join(home, path)), { recursive: true });
      writeFileSync(join(home, path), Buffer.from(data, 'base64'));
    }
    if (this.options.agentBundle) this.startAgent(this.options.agentBundle);
  }

  /** The guest's state as a snapshot saves it. */
  memory(): FakeGuestMemory {
    const saved: FakeGuestMemory = {};
    const walk = (dir: string) => {
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.isFile()) saved[relative(this.home, path)] = readFileSync(path).toString('base64');
      }
    };
    walk(this.home);
    return saved;
  }

  /** `PATCH /vm Paused`: the vCPUs stop, so nothing in the guest answers. */
  pause(): void {
    this.paused = true;
    for (const socket of this.bridges) socket.pause();
  }

  resume(): void {
    this.paused = false;
    for (const socket of this.bridges) socket.resume();
    for (const socket of this.waiting.splice(0)) this.onVsockConnection(socket);
  }

  /** The vsock transport reset a snapshot sends: every open connection is closed. */
  resetConnections(): void {
    for (const socket of this.bridges) socket.destroy();
    for (const socket of this.waiting.splice(0)) socket.destroy();
  }

  private get home(): string {
    return join(this.options.workDir, 'home');
  }

  /** The guest halts: agent gone, connections cut. The socket files stay, as Firecracker leaves them. */
  stop(): void {
    this.stopped = true;
    this.agent?.kill('SIGKILL');
    for (const socket of this.bridges) socket.destroy();
  }

  private console(line: string): void {
    const serial = this.booted?.serialPath ?? null;
    if (serial === null) process.stdout.write(`${line}\n`);
    else appendFileSync(serial, `${line}\n`);
  }

  private startAgent(bundle: string): void {
    const home = this.home;
    const socketPath = join(this.options.workDir, 'fake-agent.sock');
    mkdirSync(home, { recursive: true });
    rmSync(socketPath, { force: true });
    // As root, in a UTS namespace of its own: a guest has its own hostname, which a restore
    // renames, and the host's must stay as it is. Not root, it cannot rename anything.
    const agentArgv = [process.execPath, bundle, '--listen', socketPath, '--home', home];
    const [command, ...args] = process.getuid?.() === 0 ? ['unshare', '--uts', ...agentArgv] : agentArgv;
    const child = spawn(command!, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    });
    this.agent = child;
    child.stderr!.setEncoding('utf8').on('data', (text: string) => this.console(text.trimEnd()));
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      if (text.includes('ready')) this.agentSocket = socketPath;
    });
    child.once('exit', () => {
      this.agentSocket = null;
    });
  }

  private onVsockConnection(socket: Socket): void {
    socket.on('error', () => {});
    if (this.paused) {
      this.waiting.push(socket);
      return;
    }
    let line = '';
    const onData = (chunk: Buffer) => {
      line += chunk.toString('latin1');
      const newline = line.indexOf('\n');
      if (newline === -1) {
        if (line.length > MAX_CONNECT_LINE) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.pause();
      const rest = Buffer.from(line.slice(newline + 1), 'latin1');
      const match = /^connect (\d+)$/i.exec(line.slice(0, newline));
      const port = match ? Number(match[1]) : null;
      const agentPort = this.booted?.agentPort ?? null;
      if (port === null || port !== agentPort || this.agentSocket === null || this.stopped) {
        // Nothing listens there in the guest: its RST closes the host's connection, no answer.
        if (this.options.whileBooting === 'silent' && (agentPort === null || port === agentPort)) {
          this.bridges.add(socket);
          socket.once('close', () => this.bridges.delete(socket));
          return;
        }
        socket.end();
        return;
      }
      this.bridge(socket, this.agentSocket, rest);
    };
    socket.on('data', onData);
  }

  private bridge(host: Socket, agentPath: string, early: Buffer): void {
    const guest = connect(agentPath);
    this.bridges.add(host);
    this.bridges.add(guest);
    guest.once('connect', () => {
      host.write(`OK ${this.nextHostPort++}\n`);
      if (early.length > 0) guest.write(early);
      host.pipe(guest);
      guest.pipe(host);
      host.resume();
    });
    const close = () => {
      this.bridges.delete(host);
      this.bridges.delete(guest);
      host.destroy();
      guest.destroy();
    };
    guest.once('error', close);
    guest.once('close', close);
    host.once('close', close);
  }

  /** Closes the vsock listener (tests running the fake in-process). */
  async close(): Promise<void> {
    this.stop();
    const server = this.vsockServer;
    this.vsockServer = null;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
