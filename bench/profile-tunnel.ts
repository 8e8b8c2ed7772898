/**
 * Where the CPU goes when HTTP requests go through `aether port-forward` (and a preview URL):
 * the rig of the tunnel benchmark (tunnel-rig.ts) with `aether up` and the port-forward process
 * under `--cpu-prof`, one load of SECONDS through each target (TARGETS: direct, bare-relay,
 * port-forward, preview; all by default), and the CPU time each process spent on it, read from /proc: `aether
 * up` (gateway and worker), the port-forward CLI, the guest agent, the app in the VM, and the
 * load generator. Then the self time of each profile during each load, by owner and by function:
 *
 *   SECONDS=10 TARGETS=port-forward node --import tsx bench/profile-tunnel.ts /tmp/tunnel-prof
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type ProfileWindow, summariseProfile } from './cpu-profile-summary.js';
import { httpLoad } from './http-load.js';
import { startTunnelRig } from './tunnel-rig.js';

const profileDir = path.resolve(process.argv[2] ?? 'tunnel-prof');
const seconds = Number(process.env.SECONDS ?? 10);
const connections = 16;
const wanted = (process.env.TARGETS ?? 'direct,bare-relay,port-forward,preview').split(',');
const TICKS_PER_SECOND = 100;
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
mkdirSync(profileDir, { recursive: true });

/** utime + stime (and, for `children`, those of the waited-for children) of a process, in s. */
function cpuSeconds(pid: number | 'self', children = false): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const own = Number(fields[11]) + Number(fields[12]);
    const waited = children ? Number(fields[13]) + Number(fields[14]) : 0;
    return (own + waited) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Every process under `root`, by what it is: the agent, the app, or the rest of a sandbox. */
function descendants(root: number): Map<string, number[]> {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.split(') ')[1]!.split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const groups = new Map<string, number[]>();
  for (const pid of parent.keys()) {
    let up = parent.get(pid);
    while (up !== undefined && up > 1 && up !== root) up = parent.get(up);
    if (up !== root) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const kind = cmdline.includes('hello from the app')
      ? 'the app in the VM'
      : cmdline.includes('agent.mjs')
        ? 'guest agent'
        : 'rest of the sandbox';
    groups.set(kind, [...(groups.get(kind) ?? []), pid]);
  }
  return groups;
}

function cpuByProcess(pids: { aetherUp: number; portForward: number }): Map<string, number> {
  const cpu = new Map<string, number>([
    ['aether up (gateway + worker)', cpuSeconds(pids.aetherUp)],
    ['port-forward CLI', cpuSeconds(pids.portForward)],
    ['load generator (autocannon)', cpuSeconds('self', true)],
  ]);
  for (const [kind, list] of descendants(pids.aetherUp)) {
    cpu.set(
      kind,
      list.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    );
  }
  return cpu;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const windows: [string, ProfileWindow][] = [];
const rig = await startTunnelRig(log, profileDir);
try {
  const targets: [string, string][] = [
    ['direct', rig.directUrl],
    ['bare-relay', rig.bareRelayUrl],
    ['port-forward', rig.portForwardUrl],
  ];
  if ('url' in rig.preview) targets.push(['preview', rig.preview.url]);
  else log(rig.preview.skipped);
  for (const [name, url] of targets.filter(([name]) => wanted.includes(name))) {
    const before = cpuByProcess(rig.pids);
    const fromUs = nowUs();
    const load = await httpLoad(url, seconds, connections);
    windows.push([name, { fromUs, toUs: nowUs() }]);
    const after = cpuByProcess(rig.pids);
    const requests = load.requestsPerSecond * seconds;
    console.log(
      `\n${name}: ${load.requestsPerSecond.toFixed(0)} requests/s, mean ${load.meanMs} ms; CPU per request by process:`,
    );
    for (const [process_, end] of after) {
      const spent = end - (before.get(process_) ?? 0);
      if (spent <= 0) continue;
      console.log(
        `  ${process_.padEnd(30)} ${((spent / requests) * 1e6).toFixed(0).padStart(6)} µs  (${((spent / seconds) * 100).toFixed(0)}% of a core)`,
      );
    }
  }
} finally {
  for (const problem of await rig.stop()) log(`warning: ${problem}`);
}

for (const file of readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'))) {
  for (const [name, window] of windows) {
    const summary = summariseProfile(path.join(profileDir, file), window);
    const busy = summary.totalMs - summary.idleMs;
    if (busy <= 0) continue;
    console.log(
      `\n${file}, during ${name}: busy ${(busy / 1000).toFixed(1)} s of ${(summary.totalMs / 1000).toFixed(1)} s; share of the busy time:`,
    );
    for (const [owner, ms] of summary.owners.filter(([owner]) => owner !== '(idle)').slice(0, 10)) {
      console.log(`  ${owner.padEnd(40)} ${((ms / busy) * 100).toFixed(1)}%`);
    }
    console.log('  top functions (self):');
    for (const [fn, ms] of summary.functions.filter(([fn]) => fn !== '(idle)').slice(0, 25)) {
      console.log(`    ${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${fn}`);
    }
  }
}
