/**
 * A sandbox's host processes, found again from `sandbox.json` and ended: the isolation tool
 * (leader of its own process group) and the namespace's PID 1.
 */
import { AetherError } from '../../core/errors.js';
import {
  cmdline,
  isAlive,
  pidsWithArgument,
  signalGroup,
  signalPid,
  waitForExit,
} from '../shared/host-proc.js';
import { type SandboxRecord, sandboxTag, type VmDir } from './vm-dir.js';

const KILL_WAIT_MS = 5_000;

/**
 * The recorded sandbox and those of its host pids still alive and provably ours: a pid counts
 * only while its cmdline holds the sandbox's random tag, so a recycled pid is never signalled
 * (records of older versions, without a token, are checked against the VM's directories).
 * (bubblewrap's inner init is a fork of bwrap and matches too: it is tracked in case the outer
 * process dies alone; unshare's PID 1 cannot outlive unshare, thanks to --kill-child.)
 */
export async function liveSandbox(dir: VmDir): Promise<LiveSandbox | null> {
  const record = await dir.readSandbox();
  if (!record) return null;
  const tag = record.token === null ? null : sandboxTag(record.token);
  if (record.pid === 0) {
    // Its host died between spawning it and recording the pid: find it by its tag.
    const pids = tag === null ? [] : pidsWithArgument(tag);
    return pids.length > 0 ? { record, pids, groups: pids } : null;
  }
  const names = (arg: string) => (tag === null ? arg === dir.root || arg === dir.home : arg === tag);
  const ours = (pid: number | null): pid is number =>
    pid !== null && pid > 1 && isAlive(pid) && (cmdline(pid)?.some(names) ?? false);
  const pids = [record.pid, record.initPid].filter(ours);
  return pids.length > 0 ? { record, pids, groups: [record.pid] } : null;
}

export interface LiveSandbox {
  record: SandboxRecord;
  /** Its host processes still alive: the isolation tool and the namespace's PID 1. */
  pids: number[];
  /**
   * Process groups to signal: the tool's (it was spawned detached, so its pid is its group).
   * For a sandbox found by its tag, every pid found: signalling a group a pid does not lead fails
   * harmlessly, and a pid cannot be reused while the group it led still exists.
   */
  groups: number[];
}

/** SIGTERM the sandbox's group (the agent and PID 1 shut down), SIGKILL after `graceMs`. */
export async function killSandbox(dir: VmDir, graceMs: number): Promise<void> {
  const live = await liveSandbox(dir);
  if (!live) return;
  const { groups, pids } = live;
  // The tool was spawned detached: its pid is also its process group, shared by PID 1 and the
  // agent (commands have groups of their own but die with the namespace).
  if (graceMs > 0) {
    for (const group of groups) signalGroup(group, 'SIGTERM');
    if (await waitForExit(pids, graceMs)) return;
  }
  // Killing the tool kills PID 1 (--kill-child, bwrap), and with PID 1 the kernel kills the namespace.
  for (const group of groups) signalGroup(group, 'SIGKILL');
  for (const pid of pids) signalPid(pid, 'SIGKILL');
  if (!(await waitForExit(pids, KILL_WAIT_MS))) {
    throw new AetherError(
      'ERR_DRIVER_FAILED',
      `sandbox of VM ${dir.id} (pids ${pids.join(', ')}) survived SIGKILL`,
    );
  }
}
