/**
 * The in-guest agent. Started by the VM's init as one of
 *   node agent.mjs --listen /run/aether/agent.sock [--home /home/user]
 *   node agent.mjs --serial /dev/virtio-ports/aether.agent [--home /home/user]
 *   node agent.mjs --serial-name aether.agent [--home /home/user]
 * it serves the agent protocol on a Unix socket (the host reaches it through a bind mount), or on
 * a virtio-serial port (a microVM; QEMU gives the host a Unix socket to the port's other end),
 * and prints "ready" on stdout once it accepts connections or reads the port. With
 * `--lifeline-fd N` it also shuts down when the host process that booted it dies (lifeline.ts).
 *
 * Process tree: the process driver runs a tiny `sh` as PID 1 of the VM's PID namespace, with
 * this agent as its child. Orphans (a command's background children whose parent exited) are
 * re-parented to that PID 1, which reaps them — Node cannot wait() for processes it did not
 * spawn, so were the agent PID 1 itself, orphans would linger as zombies until the VM stops.
 * When PID 1 dies the kernel kills every process in the namespace.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { type AgentChannel, parseAgentArgs } from './args.js';
import { watchLifeline } from './lifeline.js';
import { openSerialTransport } from './serial-transport.js';
import { Session, type SessionOptions } from './session.js';
import { findVirtioPort } from './virtio-port.js';

function log(message: string): void {
  process.stderr.write(`aether-agent: ${message}\n`);
}

function baseEnv(home: string): Record<string, string> {
  let user = 'root';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry for our uid: keep the default
  }
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: home,
    USER: user,
    LOGNAME: user,
    LANG: 'C.UTF-8',
  };
}

/** A socket left by a previous boot blocks listen(); anything else at that path is not ours to delete. */
function clearStaleSocket(path: string): void {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isSocket()) rmSync(path);
  } catch {
    // listen() reports the real problem
  }
  mkdirSync(dirname(path), { recursive: true });
}

/** One session per connection; a connection that goes away takes its commands with it. */
function serveSocket(path: string, options: SessionOptions): void {
  const sessions = new Set<Session>();
  const server = createServer((socket: Socket) => {
    const session = new Session(socket, options);
    sessions.add(session);
    socket.on('close', () => sessions.delete(session));
  });
  server.on('error', (error) => {
    log(`listen ${path}: ${error.message}`);
    process.exit(1);
  });
  clearStaleSocket(path);
  const oldMask = process.umask(0o077); // the socket is for the host only
  server.listen(path, () => {
    process.umask(oldMask);
    process.stdout.write('ready\n');
  });

  const shutdown = () => {
    for (const session of sessions) session.abandonAll();
    server.close();
    // Give the SIGKILLs of abandonAll() a moment to land before PID 1 tears the namespace down.
    setTimeout(() => process.exit(0), 50).unref();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/**
 * One session for the agent's lifetime over a serial line. Hosts come and go (each syncs first);
 * commands outlive them: output produced while no host reads is held back (the line blocks, and
 * the session pauses command output), then goes to the next host, which drops what predates its
 * sync and ignores ids it did not issue. So that output is lost, and a command whose host left
 * runs until it ends or times out; its exit is reported to nobody in particular, harmlessly.
 */
async function serveSerial(channel: Exclude<AgentChannel, { kind: 'listen' }>, options: SessionOptions) {
  let where: { path: string } | { fd: number };
  try {
    if (channel.kind === 'serial-fd') where = { fd: channel.fd };
    else where = { path: channel.kind === 'serial' ? channel.path : await findVirtioPort(channel.name) };
  } catch (error) {
    log((error as Error).message);
    process.exit(1);
  }
  const transport = await openSerialTransport({ ...where, log }).catch((error: Error) => {
    log(`serial line: ${error.message}`);
    process.exit(1);
  });
  const session = new Session(transport, { ...options, resync: true });
  process.stdout.write('ready\n');

  const shutdown = (signal: NodeJS.Signals) => {
    session.abandonAll();
    transport.destroy();
    // process.exit() would wait forever for the read blocked in the threadpool: after the
    // SIGKILLs have landed, die of the signal we got, as if we had not handled it.
    setTimeout(() => {
      process.removeAllListeners('SIGTERM').removeAllListeners('SIGINT');
      process.kill(process.pid, signal);
    }, 50);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

function main(): void {
  let args: ReturnType<typeof parseAgentArgs>;
  try {
    args = parseAgentArgs(process.argv.slice(2));
  } catch (error) {
    log((error as Error).message);
    process.exit(2);
  }
  const { channel } = args;
  if (channel.kind !== 'listen') {
    // A serial line keeps one threadpool thread in a blocking read and may block another in a
    // write while no host is connected; file requests need the rest. Before any fs call.
    process.env.UV_THREADPOOL_SIZE ??= '8';
  }
  // Host-facing stdio may be closed once we are up (EPIPE); logging must never crash us.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  process.on('uncaughtException', (error) => log(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) => log(`unhandled rejection: ${String(error)}`));

  const options: SessionOptions = { home: args.home, baseEnv: baseEnv(args.home), log };
  if (channel.kind === 'listen') serveSocket(channel.path, options);
  else void serveSerial(channel, options);
  if (args.lifelineFd !== null) {
    // The host that booted us is gone: shut down as on SIGTERM; PID 1 follows, then the namespace.
    watchLifeline(args.lifelineFd, () => {
      log('lifeline cut: the host process that booted this VM is gone; shutting down');
      process.kill(process.pid, 'SIGTERM');
    });
  }
}

main();
