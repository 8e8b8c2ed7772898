/**
 * Where a `--cpu-prof` profile's time went: self time by owner (Node internals, each package, our
 * code, garbage collection, idle) and the functions with the most self time, over the whole
 * profile or only a window of it (V8 stamps samples with the monotonic clock that
 * `process.hrtime` reads, in µs).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A span of the monotonic clock, in µs (`process.hrtime.bigint() / 1000n`). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Of which the thread was idle. */
  idleMs: number;
  /** Milliseconds of self time per owner, largest first. */
  owners: [string, number][];
  /** Milliseconds of self time per function (`name url:line`), largest first. */
  functions: [string, number][];
}

/** Who a frame belongs to, by its script's URL. */
function ownerOf(frame: ProfileNode['callFrame']): string {
  const { functionName, url } = frame;
  if (!url) {
    if (functionName === '(garbage collector)' || functionName === '(idle)' || functionName === '(program)')
      return functionName;
    return 'native (builtins, syscalls)';
  }
  if (url.startsWith('node:')) return 'Node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  return 'our code';
}

const sorted = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);

export function summariseProfile(file: string, window?: ProfileWindow): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    const ms = delta / 1000;
    const frame = byId.get(id)!.callFrame;
    totalMs += ms;
    if (frame.functionName === '(idle)') idleMs += ms;
    const owner = ownerOf(frame);
    owners.set(owner, (owners.get(owner) ?? 0) + ms);
    const where = frame.url
      ? ` ${frame.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${frame.lineNumber + 1}`
      : '';
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
  });
  return { totalMs, idleMs, owners: sorted(owners), functions: sorted(functions) };
}
