/**
 * A process-driver sandbox's host processes, seen from the host as a test sees them: the record
 * the driver keeps (`<stateDir>/vms/<id>/sandbox.json`), every process of the sandbox's PID
 * namespace, and whether any of them still runs (pid and start time, so a recycled pid is not
 * taken for a survivor).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

export interface SandboxRecordFile {
  pid: number;
  initPid: number | null;
}

export interface HostProcess {
  pid: number;
  startTicks: string;
}

/** The process driver's record of a VM's sandbox, wherever the node put its state dir. */
export function readSandboxRecord(dataDir: string, vmId: string): SandboxRecordFile {
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  const candidates = [
    path.join(dataDir, 'process', 'vms', vmId, 'sandbox.json'),
    path.join('/var/lib/aether', `process-${key}`, 'vms', vmId, 'sandbox.json'),
  ];
  const file = candidates.find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`no sandbox.json for VM ${vmId} (looked at ${candidates.join(', ')})`);
  return JSON.parse(readFileSync(file, 'utf8')) as SandboxRecordFile;
}

function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") "; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function pidNamespace(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/** The isolation tool and every process in the sandbox's PID namespace (the agent, commands). */
export function sandboxProcesses(record: SandboxRecordFile): HostProcess[] {
  const inside = record.initPid === null ? null : pidNamespace(record.initPid);
  const pids = new Set<number>([record.pid]);
  if (inside) {
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (Number.isInteger(pid) && pidNamespace(pid) === inside) pids.add(pid);
    }
  }
  return [...pids].flatMap((pid) => {
    const ticks = startTicks(pid);
    return ticks === null ? [] : [{ pid, startTicks: ticks }];
  });
}

/** Those of `processes` that still run (same pid, same start time; a zombie has ended). */
export function stillRunning(processes: readonly HostProcess[]): HostProcess[] {
  return processes.filter((p) => startTicks(p.pid) === p.startTicks && !isZombie(p.pid));
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/**
 * The agent among a sandbox's processes: node running the agent bundle (the isolation tool and
 * the guest's init carry the same words further down their argv).
 */
export function agentPid(processes: readonly HostProcess[]): number {
  for (const { pid } of processes) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('node') && argv[1]?.endsWith('agent.mjs')) return pid;
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no agent among pids ${processes.map((p) => p.pid).join(', ')}`);
}
