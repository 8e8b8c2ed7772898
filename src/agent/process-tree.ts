/**
 * Finding and signalling a command's whole process tree through /proc. A command may leave its
 * process group (setsid) or lose its parent (double fork), so a tree is the union of:
 * its process group, its descendants by parent pid, and every process still carrying the
 * command's marker in its environment (inherited through fork/exec unless deliberately cleared).
 */
import { readdirSync, readFileSync } from 'node:fs';

export const EXEC_MARKER_VAR = 'AETHER_EXEC_ID';

export interface TreeTarget {
  /** Pid of the command itself (also its process group id: commands are spawned detached). */
  pid: number;
  /** Value of EXEC_MARKER_VAR given to the command. */
  marker: string;
}

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state: R, S, D, Z (zombie), X (dead), ... */
  state: string;
}

function readStat(pid: number): ProcEntry | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0] ?? '?', ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return null; // gone between readdir and read
  }
}

function hasMarker(pid: number, marker: string): boolean {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    return environ.split('\0').includes(`${EXEC_MARKER_VAR}=${marker}`);
  } catch {
    return false;
  }
}

/** Every process this agent can see under /proc. */
export function listProcesses(): ProcEntry[] {
  const entries: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const entry = readStat(pid);
    if (entry) entries.push(entry);
  }
  return entries;
}

/** Live (non-zombie) pids belonging to the target's tree, never the agent or PID 1. */
export function findTree(target: TreeTarget): Set<number> {
  const all = listProcesses();
  const children = new Map<number, number[]>();
  for (const p of all) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const tree = new Set<number>();
  const queue = [target.pid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (tree.has(pid)) continue;
    tree.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  for (const p of all) {
    if (p.pgid === target.pid || (!tree.has(p.pid) && hasMarker(p.pid, target.marker))) tree.add(p.pid);
  }
  const live = new Set<number>();
  const states = new Map(all.map((p) => [p.pid, p.state]));
  for (const pid of tree) {
    const state = states.get(pid);
    if (pid === process.pid || pid === 1 || state === undefined || state === 'Z' || state === 'X') continue;
    live.add(pid);
  }
  return live;
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Signals the whole tree. For SIGKILL it repeats until nothing of the tree is alive (a process may
 * fork between our scan and our kill), giving up after `maxRounds`.
 */
export async function signalTree(target: TreeTarget, signal: NodeJS.Signals, maxRounds = 20): Promise<void> {
  // The group first, in one syscall: nothing inside it can fork its way out of this one.
  signalPid(-target.pid, signal);
  for (let round = 0; round < maxRounds; round++) {
    const live = findTree(target);
    if (live.size === 0) return;
    for (const pid of live) signalPid(pid, signal);
    if (signal !== 'SIGKILL') return;
    await sleep(round < 5 ? 2 : 20);
  }
}
