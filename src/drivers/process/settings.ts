/** Settings of the `process` driver: given by the caller (parsed config), never read from the env. */
import { isAbsolute } from 'node:path';
import { AetherError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { CgroupHost } from './limits/cgroup-host.js';
import type { LimitsSettings } from './limits/limits-settings.js';

export type IsolationTool = 'unshare' | 'bwrap';

export interface ProcessDriverSettings {
  /** Directory owning every VM: `<stateDir>/vms/<id>/{home,run,root}`. Absolute. */
  stateDir: string;
  /** The bundled agent (`dist/agent.js`, built by `npm run build:agent`). Absolute. */
  agentPath: string;
  /** Node binary bound read-only into each VM. Default: `process.execPath`. */
  nodePath?: string;
  /**
   * Host uid/gid the guest's root maps to when the host runs as root (the sandbox is spawned
   * with them, so it can never act as host root). Ignored otherwise. Default 65534 (nobody);
   * a uid used by nothing else on the host is better.
   */
  sandboxUid?: number;
  sandboxGid?: number;
  /** From spawning the sandbox to the agent answering ping. Default 10 000 ms. */
  bootTimeoutMs?: number;
  /** `stop()` grace before SIGKILL when the caller gives none. Default 3 000 ms. */
  stopGraceMs?: number;
  /** `auto` (default) uses util-linux `unshare`, or `bwrap` where unprivileged user namespaces need it. */
  isolationTool?: 'auto' | IsolationTool;
  /** Commands of the isolation tools. Default: found on /usr/sbin:/usr/bin:/sbin:/bin. */
  unshareCommand?: string;
  bwrapCommand?: string;
  /**
   * Sandboxes kept booted and idle under `<stateDir>/pool`, so `create` + `start` adopts one in a
   * few ms instead of booting (~100 ms). Refilled in the background, one boot at a time. Default 0
   * (no pool: every start boots).
   */
  warmPoolSize?: number;
  /**
   * `on` (default): every VM is held to its vcpus and memory (cgroups, no swap), `pidsLimit`
   * tasks, a /tmp of `tmpSizeMiB` and a home of `homeSizeMiB`; a host that cannot enforce that
   * (not root, no writable cgroup hierarchy) refuses VMs. `off`: VMs run without any of it, and
   * say so in their isolation.
   */
  limits?: 'on' | 'off';
  /** Tasks (processes and threads, the agent's included) per VM. Default 512. */
  pidsLimit?: number;
  /** Size of each VM's /tmp (a tmpfs, counted in its memory). Default 256 MiB. */
  tmpSizeMiB?: number;
  /** Size of each VM's home (an ext4 image, sparse on the host). Default 4096 MiB. */
  homeSizeMiB?: number;
}

export interface ProcessDriverDeps {
  logger?: Logger;
  /** How the host's cgroups are found; default: read from /proc (limits/cgroup-host.ts). */
  detectCgroups?: () => CgroupHost;
}

export interface ResolvedProcessSettings {
  stateDir: string;
  agentPath: string;
  nodePath: string;
  /** Set when the host runs as root: the identity the sandbox is spawned with. */
  sandboxIds: { uid: number; gid: number } | null;
  bootTimeoutMs: number;
  stopGraceMs: number;
  isolationTool: 'auto' | IsolationTool;
  unshareCommand: string;
  bwrapCommand: string;
  warmPoolSize: number;
  limits: LimitsSettings;
}

function absolute(name: string, value: string | undefined): string {
  if (!value || !isAbsolute(value))
    throw new AetherError('ERR_CONFIG', `process driver: ${name} must be an absolute path`);
  return value;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n <= 0)
    throw new AetherError('ERR_CONFIG', `process driver: ${name} must be a positive integer`);
  return n;
}

const MAX_WARM_POOL = 64;

function poolSize(value: number | undefined): number {
  const n = value ?? 0;
  if (!Number.isInteger(n) || n < 0 || n > MAX_WARM_POOL)
    throw new AetherError(
      'ERR_CONFIG',
      `process driver: warmPoolSize must be an integer from 0 to ${MAX_WARM_POOL}`,
    );
  return n;
}

function limitsMode(value: string | undefined): 'on' | 'off' {
  if (value === undefined || value === 'on' || value === 'off') return value ?? 'on';
  throw new AetherError(
    'ERR_CONFIG',
    `process driver: limits must be on or off, not ${JSON.stringify(value)}`,
  );
}

export function resolveProcessSettings(settings: ProcessDriverSettings): ResolvedProcessSettings {
  const isRoot = process.getuid?.() === 0;
  const uid = settings.sandboxUid ?? 65534;
  const gid = settings.sandboxGid ?? 65534;
  if (isRoot && (uid === 0 || gid === 0)) {
    throw new AetherError(
      'ERR_CONFIG',
      'process driver: sandboxUid/sandboxGid must not be 0 (guest root would be host root)',
    );
  }
  return Object.freeze({
    stateDir: absolute('stateDir', settings.stateDir),
    agentPath: absolute('agentPath', settings.agentPath),
    nodePath: absolute('nodePath', settings.nodePath ?? process.execPath),
    sandboxIds: isRoot ? { uid, gid } : null,
    bootTimeoutMs: positive('bootTimeoutMs', settings.bootTimeoutMs, 10_000),
    stopGraceMs: positive('stopGraceMs', settings.stopGraceMs, 3_000),
    isolationTool: settings.isolationTool ?? 'auto',
    unshareCommand: settings.unshareCommand ?? 'unshare',
    bwrapCommand: settings.bwrapCommand ?? 'bwrap',
    warmPoolSize: poolSize(settings.warmPoolSize),
    limits: Object.freeze({
      mode: limitsMode(settings.limits),
      pids: positive('pidsLimit', settings.pidsLimit, 512),
      tmpSizeMiB: positive('tmpSizeMiB', settings.tmpSizeMiB, 256),
      homeSizeMiB: positive('homeSizeMiB', settings.homeSizeMiB, 4096),
    }),
  });
}

/** The only environment the sandbox tooling sees: nothing of the host's env leaks into a VM. */
export const SANDBOX_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
});
