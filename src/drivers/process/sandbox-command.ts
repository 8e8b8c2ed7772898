/**
 * The command line that turns an ordinary process into a VM: user (guest root = unprivileged
 * host uid), PID, mount, IPC, UTS and network namespaces, a fresh root holding only the host's
 * /usr and /etc read-only, a private home, and nothing else of the host (pivot_root).
 *
 * No string from a user ever reaches a shell: the setup script below is fixed text, host paths
 * reach it as positional arguments or as an fstab file the driver writes with escaped paths.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import type { IsolationTool } from './settings.js';

/** Where things live inside the guest. */
export const GUEST = Object.freeze({
  /** Set in the VM's own UTS namespace, so the host's name does not show through. */
  hostname: 'aether',
  home: '/home/user',
  runDir: '/run/aether',
  socket: '/run/aether/agent.sock',
  node: '/opt/aether/node',
  // `.mjs`: Node loads the ESM bundle as a module without a package.json beside it.
  agent: '/opt/aether/agent.mjs',
});

export interface SandboxPaths {
  /** Empty host directory used as the mount point of the guest's tmpfs root. */
  root: string;
  home: string;
  run: string;
  fstab: string;
  node: string;
  agent: string;
}

/** Top-level host directories that merged-usr systems make symlinks into /usr. */
const USR_ALIASES = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'] as const;

interface HostLayout {
  /** Names that are symlinks to usr/<name> on the host: recreated as symlinks in the guest. */
  links: string[];
  /** Names that are real directories on the host (non-merged /usr): bound read-only. */
  dirs: string[];
}

let layout: HostLayout | undefined;
function hostLayout(): HostLayout {
  if (layout) return layout;
  const found: HostLayout = { links: [], dirs: [] };
  for (const name of USR_ALIASES) {
    try {
      const info = lstatSync(`/${name}`);
      if (info.isSymbolicLink()) {
        const target = readlinkSync(`/${name}`);
        if (target === `usr/${name}` || target === `/usr/${name}`) found.links.push(name);
      } else if (info.isDirectory()) {
        found.dirs.push(name);
      }
    } catch {
      // absent on this host
    }
  }
  layout = found;
  return found;
}

/**
 * Runs as root of the new user namespace. $1 = root mount point, $2 = fstab, $3 = names of
 * merged-usr symlinks, $4 = the sandbox's tag (unused: it is there for the host to recognise the
 * process by its cmdline); the rest is the init command. Every step is one exec at most: the whole
 * setup is on the boot path of every VM.
 */
export const SETUP_SCRIPT = `set -eu
R="$1"; FSTAB="$2"; LINKS="$3"; shift 4
mount -t tmpfs -o mode=755,size=8m tmpfs "$R"
cd "$R"
mkdir -p dev opt/aether run
for n in null zero random urandom full tty; do : > "dev/$n"; done
ln -s pts/ptmx dev/ptmx
: > opt/aether/node; : > opt/aether/agent.mjs
set -f; l=""; for n in $LINKS; do l="$l usr/$n"; done; set +f
[ -z "$l" ] || ln -s $l .
ln -s /proc/self/fd dev/fd
mount -a -T "$FSTAB"
if command -v ip >/dev/null 2>&1; then ip link set lo up || true; fi
if command -v hostname >/dev/null 2>&1; then hostname ${GUEST.hostname} || true; fi
# pivot_root . . stacks the old root on the new one; the lazy unmount then drops it (as runc does).
pivot_root . .
umount -l .
mount -o remount,ro,bind /
cd ${GUEST.home}
# Guest root keeps uid 0 but loses every capability, for good: it cannot remount /usr, /etc or
# the bound node binary and agent writable again, nor undo any other step above.
exec setpriv --no-new-privs --inh-caps=-all --bounding-set=-all -- "$@"
`;

/**
 * PID 1 of the namespace (unshare path; bubblewrap brings its own): runs the agent as its child,
 * reaps orphans (Node cannot wait() for processes it did not spawn) and forwards SIGTERM. The
 * agent keeps the sandbox's stdin (a pool sandbox's lifeline): sh would give a background job
 * /dev/null, so stdin goes through fd 3.
 */
export const INIT_SCRIPT = `exec 3<&0
"$@" <&3 3<&- &
child=$!
exec 3<&-
trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT HUP
while kill -0 "$child" 2>/dev/null; do wait "$child" || true; done
`;

/** fstab fields are whitespace-separated; libmount decodes these octal escapes. */
function fstabEscape(path: string): string {
  return path.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** What bounds the guest's own filesystems: /tmp and /dev/shm sizes (null = unbounded tmpfs). */
export interface GuestFsLimits {
  tmpSizeMiB: number | null;
}

const UNBOUNDED: GuestFsLimits = { tmpSizeMiB: null };

export function buildFstab(paths: SandboxPaths, fsLimits: GuestFsLimits = UNBOUNDED): string {
  const r = paths.root;
  const size = fsLimits.tmpSizeMiB === null ? '' : `,size=${fsLimits.tmpSizeMiB}m`;
  const lines: [string, string, string, string][] = [
    ['/usr', `${r}/usr`, 'none', 'bind,ro,X-mount.mkdir'],
    ['/etc', `${r}/etc`, 'none', 'bind,ro,X-mount.mkdir'],
    ...hostLayout().dirs.map((d): [string, string, string, string] => [
      `/${d}`,
      `${r}/${d}`,
      'none',
      'bind,ro,X-mount.mkdir',
    ]),
    [paths.home, `${r}${GUEST.home}`, 'none', 'bind,X-mount.mkdir'],
    [paths.run, `${r}${GUEST.runDir}`, 'none', 'bind,X-mount.mkdir'],
    ['tmpfs', `${r}/tmp`, 'tmpfs', `mode=1777,nosuid,nodev${size},X-mount.mkdir`],
    ['tmpfs', `${r}/dev/shm`, 'tmpfs', `mode=1777,nosuid,nodev${size},X-mount.mkdir`],
    ['proc', `${r}/proc`, 'proc', 'nosuid,nodev,noexec,X-mount.mkdir'],
    // The guest's own terminals (terminal execs), none of the host's: a new devpts instance,
    // its ptmx reached through the dev/ptmx symlink the setup script makes.
    ['devpts', `${r}/dev/pts`, 'devpts', 'newinstance,ptmxmode=0666,mode=0620,nosuid,noexec,X-mount.mkdir'],
    ...['null', 'zero', 'random', 'urandom', 'full', 'tty'].map((n): [string, string, string, string] => [
      `/dev/${n}`,
      `${r}/dev/${n}`,
      'none',
      'bind',
    ]),
    [paths.node, `${r}${GUEST.node}`, 'none', 'bind,ro'],
    [paths.agent, `${r}${GUEST.agent}`, 'none', 'bind,ro'],
  ];
  return `${lines.map((fields) => `${fields.map((f, i) => (i < 2 ? fstabEscape(f) : f)).join(' ')} 0 0`).join('\n')}\n`;
}

/**
 * What the guest's init runs: the agent, listening where the host finds it. With `lifeline` (a
 * warm-pool sandbox) it watches its stdin and shuts down when the host process is gone.
 */
export function agentArgv(options: { lifeline: boolean } = { lifeline: false }): string[] {
  const argv = [GUEST.node, GUEST.agent, '--listen', GUEST.socket, '--home', GUEST.home];
  return options.lifeline ? [...argv, '--lifeline-fd', '0'] : argv;
}

export interface SandboxCommand {
  command: string;
  args: string[];
}

/**
 * `tag` is an argv word unique to this sandbox (see `sandboxTag`): it stays in the isolation
 * tool's cmdline (and bwrap's init's) for the host to tell its sandbox from a recycled pid. It
 * never reaches the guest's environment (unshare: an ignored positional; bwrap: --unsetenv).
 */
export function sandboxCommand(
  tool: IsolationTool,
  toolCommand: string,
  paths: SandboxPaths,
  init: string[],
  tag: string,
  fsLimits: GuestFsLimits = UNBOUNDED,
): SandboxCommand {
  if (tool === 'unshare') {
    return {
      command: toolCommand,
      args: [
        '--user',
        '--map-root-user',
        '--pid',
        '--fork',
        '--kill-child', // if unshare dies, so does PID 1, and with it the whole namespace
        '--mount',
        '--propagation',
        'private',
        '--ipc',
        '--uts',
        '--net',
        'sh',
        '-c',
        SETUP_SCRIPT,
        'aether-sandbox',
        paths.root,
        paths.fstab,
        hostLayout().links.join(' '),
        tag,
        'sh',
        '-c',
        INIT_SCRIPT,
        'aether-init',
        ...init,
      ],
    };
  }
  // bubblewrap sets up the same tree itself; it is the PID 1 reaper, brings `lo` up and drops
  // every capability of guest root by default.
  const { links, dirs } = hostLayout();
  const args = [
    '--unshare-user',
    '--uid',
    '0',
    '--gid',
    '0',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-net',
    '--unsetenv',
    tag,
    '--hostname',
    GUEST.hostname,
    '--ro-bind',
    '/usr',
    '/usr',
    '--ro-bind',
    '/etc',
    '/etc',
    ...links.flatMap((n) => ['--symlink', `usr/${n}`, `/${n}`]),
    ...dirs.flatMap((d) => ['--ro-bind', `/${d}`, `/${d}`]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // --size applies to the next --tmpfs only (bubblewrap ≥ 0.5).
    ...(fsLimits.tmpSizeMiB === null ? [] : ['--size', String(fsLimits.tmpSizeMiB * 1024 * 1024)]),
    '--tmpfs',
    '/tmp',
    '--bind',
    paths.home,
    GUEST.home,
    '--bind',
    paths.run,
    GUEST.runDir,
    '--ro-bind',
    paths.node,
    GUEST.node,
    '--ro-bind',
    paths.agent,
    GUEST.agent,
    '--remount-ro',
    '/',
    '--chdir',
    GUEST.home,
    '--',
    ...init,
  ];
  return { command: toolCommand, args };
}
