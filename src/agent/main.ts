/**
 * The in-guest agent. Started by the VM's init as
 *   node agent.mjs --listen /run/aether/agent.sock [--home /home/user] [--ready]
 * it serves the agent protocol on a Unix socket (the host reaches it through a bind mount,
 * vsock or virtio-serial) and prints "ready" on stdout once it accepts connections.
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
import { Session } from './session.js';

interface AgentArgs {
  listen: string;
  home: string;
}

function parseArgs(argv: readonly string[]): AgentArgs {
  const args: Partial<AgentArgs> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === '--listen' || flag === '--home') && value) {
      args[flag === '--listen' ? 'listen' : 'home'] = value;
      i++;
    } else {
      throw new Error(`unknown argument ${flag}; usage: agent --listen SOCKET [--home DIR]`);
    }
  }
  if (!args.listen) throw new Error('--listen SOCKET is required');
  return { listen: args.listen, home: args.home ?? '/home/user' };
}

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

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const env = baseEnv(args.home);
  // Host-facing stdio may be closed once we are up (EPIPE); logging must never crash us.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  process.on('uncaughtException', (error) => log(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) => log(`unhandled rejection: ${String(error)}`));

  const sessions = new Set<Session>();
  const server = createServer((socket: Socket) => {
    const session = new Session(socket, { home: args.home, baseEnv: env, log });
    sessions.add(session);
    socket.on('close', () => sessions.delete(session));
  });
  server.on('error', (error) => {
    log(`listen ${args.listen}: ${error.message}`);
    process.exit(1);
  });
  clearStaleSocket(args.listen);
  const oldMask = process.umask(0o077); // the socket is for the host only
  server.listen(args.listen, () => {
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

main();
