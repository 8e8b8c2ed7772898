/**
 * Test support: the fake Firecracker as a process, standing in for the `firecracker` binary or
 * the `jailer` (chosen by its arguments: `--exec-file` means the jailer). It takes the same
 * command lines the driver gives the real ones, checks them as they would (ids, absolute paths,
 * uid/gid, a stale API socket), and serves the fake API. As the jailer it does not chroot:
 * it resolves every API path inside `<chroot base>/<exec file name>/<id>/root` instead and
 * insists that the files there be usable by the jail's uid/gid.
 *
 * Behaviour comes from the environment variable AETHER_FAKE_FIRECRACKER, JSON of
 * `FakeProcessOptions`: the agent bundle the guest runs, a boot delay, how the guest takes
 * SendCtrlAltDel, faults to inject (or requests to be killed during), an exit code to die with
 * at start, or a file to log the requests it answered to.
 */
import { accessSync, appendFileSync, constants, existsSync, mkdirSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { FakeFirecracker, type RecordedRequest } from './fake-firecracker.js';
import { FAKE_FIRECRACKER_ENV, type FakeProcessOptions } from './fake-process-options.js';

const INSTANCE_ID = /^[A-Za-z0-9-]{1,64}$/;

function die(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** `--flag value` pairs (a flag may repeat) up to `--`; what follows `--` is returned apart. */
function parseFlags(
  argv: readonly string[],
  known: ReadonlySet<string>,
): {
  flags: Map<string, string[]>;
  rest: string[];
} {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return { flags, rest: argv.slice(i + 1) };
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (!known.has(name))
      die(`Arguments parsing error: Found argument '${name}' which wasn't expected.`, 153);
    const value = inline ?? argv[++i];
    if (value === undefined) die(`Arguments parsing error: argument '${name}' requires a value.`, 153);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, rest: [] };
}

const one = (flags: Map<string, string[]>, name: string) => flags.get(name)?.at(-1);

async function main(): Promise<void> {
  const options = JSON.parse(process.env[FAKE_FIRECRACKER_ENV] ?? '{}') as FakeProcessOptions;
  if (options.exitAtStart !== undefined)
    die('Error creating the VMM: KVM is not available here (fake)', options.exitAtStart);
  let argv = process.argv.slice(2);
  let root: string | null = null;
  let owner: { uid: number; gid: number } | null = null;

  if (argv.includes('--exec-file')) {
    const { flags, rest } = parseFlags(
      argv,
      new Set([
        '--id',
        '--exec-file',
        '--uid',
        '--gid',
        '--chroot-base-dir',
        '--cgroup-version',
        '--cgroup',
        '--parent-cgroup',
        '--netns',
        '--resource-limit',
      ]),
    );
    const id = one(flags, '--id') ?? die('jailer: --id is required');
    if (!INSTANCE_ID.test(id)) die(`jailer: invalid instance id ${id}: alphanumerics and dashes, at most 64`);
    const exec = one(flags, '--exec-file') ?? die('jailer: --exec-file is required');
    if (!isAbsolute(exec)) die(`jailer: --exec-file ${exec} must be an absolute path`);
    try {
      accessSync(exec, constants.X_OK);
    } catch {
      die(`jailer: --exec-file ${exec} is not an executable file`);
    }
    const uid = Number(one(flags, '--uid'));
    const gid = Number(one(flags, '--gid'));
    if (!Number.isInteger(uid) || !Number.isInteger(gid))
      die('jailer: --uid and --gid are required integers');
    const base = one(flags, '--chroot-base-dir') ?? '/srv/jailer';
    if (!isAbsolute(base)) die(`jailer: --chroot-base-dir ${base} must be an absolute path`);
    const version = one(flags, '--cgroup-version') ?? '1';
    if (version !== '1' && version !== '2') die(`jailer: --cgroup-version ${version}: 1 or 2`);
    for (const cgroup of flags.get('--cgroup') ?? []) {
      if (!/^[a-z_]+\.[a-z_.]+=.+$/.test(cgroup)) die(`jailer: --cgroup ${cgroup}: expected <file>=<value>`);
    }
    root = join(base, basename(exec), id, 'root');
    mkdirSync(root, { recursive: true });
    owner = { uid, gid };
    argv = ['--id', id, ...rest];
  }

  const { flags } = parseFlags(
    argv,
    new Set(['--api-sock', '--id', '--level', '--log-path', '--boot-timer']),
  );
  const id = one(flags, '--id') ?? 'anonymous-instance';
  if (!INSTANCE_ID.test(id)) die(`Invalid instance ID: ${id}`, 153);
  const apiSock = one(flags, '--api-sock') ?? '/run/firecracker.socket';
  const hostSocket = root ? join(root, apiSock) : apiSock;
  if (root) mkdirSync(join(hostSocket, '..'), { recursive: true });
  // Firecracker never removes its socket, and bind fails on one left behind.
  if (existsSync(hostSocket))
    die(`Failed to open the API socket at ${apiSock}: IO error: Address in use (os error 98)`);

  const fake = await FakeFirecracker.start({
    apiSocket: hostSocket,
    id,
    root,
    owner,
    guest: {
      ...(options.agentBundle ? { agentBundle: options.agentBundle } : {}),
      ...(options.bootDelayMs !== undefined ? { bootDelayMs: options.bootDelayMs } : {}),
      ...(options.ctrlAltDel ? { ctrlAltDel: options.ctrlAltDel } : {}),
      ...(options.whileBooting ? { whileBooting: options.whileBooting } : {}),
    },
    faults: options.faults ?? [],
    // Firecracker exits once the guest resets (reboot=k): a clean shutdown.
    onGuestShutdown: () => process.exit(0),
    // A failed snapshot load leaves Firecracker in an unknown state: it ends itself.
    onLoadFailed: () => process.exit(1),
    // A killed Firecracker leaves nothing running: the guest's agent (its child) dies with it.
    onKilled: () => {
      try {
        process.kill(-process.pid, 'SIGKILL');
      } catch {
        process.kill(process.pid, 'SIGKILL');
      }
    },
    ...(options.requestLog
      ? {
          onRequest: (request: RecordedRequest) =>
            appendFileSync(
              options.requestLog!,
              `${JSON.stringify({ pid: process.pid, method: request.method, path: request.path, body: request.body, status: request.status })}\n`,
            ),
        }
      : {}),
  });
  // SIGTERM ends Firecracker at once (it has no handler), its sockets left behind.
  const quit = () => {
    fake.halt();
    process.exit(143);
  };
  process.once('SIGTERM', quit);
  process.once('SIGINT', quit);
}

main().catch((error: unknown) => die(`fake firecracker: ${(error as Error).stack ?? String(error)}`));
