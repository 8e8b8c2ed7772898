/**
 * The fault test's checker: a pure function from a history (see history.ts) to a report, after
 * Jepsen's total-queue checker ("what goes in must come out"). It counts
 * - lost: an acknowledged submit whose task is missing or not terminal at the end;
 * - duplicated: an op whose side effect (its marker in the VM's effects file) was committed more
 *   than once, or that the store holds as more than one execution;
 * - stale: a write accepted from an attempt that was no longer current, read from the tasks'
 *   state-change log (a change out of a terminal status; a completion accepted after another
 *   attempt re-claimed the task; a completion the caller was told that the store does not hold).
 *   Without a state-change log in the history it falls back to the duplicated effects;
 * - unexpected: effects of ops never submitted, submitted to another VM, or rejected outright;
 * - tasks ending without a reason or failing without an error code; 5xx answers other than a
 *   coded 503; probes during a PostgreSQL outage that were not a coded 503; process crashes;
 * - how long workers took to complete new work after each Redis restart.
 */
import type {
  CompletionEvent,
  EffectsEvent,
  ExitEvent,
  FinalExecutionEvent,
  FinalTaskEvent,
  HistoryEvent,
  InvokeEvent,
  ProbeEvent,
  StateChangeEvent,
} from './history.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/** Codes an execution gets when the worker running it died: outcome unknown, never re-run. */
export const INTERRUPTED_CODES = new Set(['ERR_TASK_INTERRUPTED', 'ERR_WORKER_LOST']);

export interface CheckOptions {
  /** Longest a worker may take to complete new work after Redis is back. Default 10 000 ms. */
  resumeLimitMs?: number;
}

export interface OpRef {
  op: string | null;
  taskId: string | null;
}

export interface CheckReport {
  valid: boolean;
  /** Why `valid` is false, one line per violated property. */
  violations: string[];
  counts: {
    attempted: number;
    acknowledged: number;
    ok: number;
    fail: number;
    info: number;
    /** Invoked, never answered (the run stopped waiting). */
    unanswered: number;
    /** Outcome-unknown ops whose task the store turned out to hold, terminal. */
    recovered: number;
    /** Executions that ended with ERR_TASK_INTERRUPTED / ERR_WORKER_LOST. */
    interrupted: number;
    opTasks: number;
  };
  /** Final status of every op's task, by status. */
  outcomes: Record<string, number>;
  /** Final error code of every op's task that has one. */
  errorCodes: Record<string, number>;
  /** Client answers by `<type> <http status> <code>`. */
  answers: Record<string, number>;
  faults: Record<string, number>;
  lost: (OpRef & { why: string })[];
  notTerminal: (OpRef & { status: string | null })[];
  duplicated: { op: string; effects: number; executions: number; vms: string[] }[];
  stale: (OpRef & { why: string })[];
  staleSource: 'state-changes' | 'duplicated-effects';
  /** vm:execute tasks claimed by more than one attempt (they never retry: a second claim is a re-run). */
  reruns: (OpRef & { claims: number; reasons: string[] })[];
  unexpected: { op: string; vmId: string; why: string }[];
  failedWithoutCode: (OpRef & { status: string })[];
  terminalWithoutReason: (OpRef & { status: string })[];
  /** Completed with exit code 0, yet no marker in a readable effects file (informational). */
  missingEffects: OpRef[];
  api5xx: { source: string; httpStatus: number; code: string | null; at: number }[];
  uncoded503: { source: string; at: number }[];
  probes: { during: string; total: number; violations: ProbeEvent[] }[];
  crashes: ExitEvent[];
  unverifiedVms: { vmId: string; error: string }[];
  redisResume: { upAt: number; perWorker: Record<string, number | null>; maxMs: number | null }[];
  timeToAnswerMs: { p50: number | null; p99: number | null; max: number | null };
  /** VMs not running at the end, with the store's reason (informational). */
  vmsNotRunning: { vmId: string; name: string; status: string | null; reason: string | null }[];
}

function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? null;
}

export function checkHistory(events: readonly HistoryEvent[], options: CheckOptions = {}): CheckReport {
  const resumeLimitMs = options.resumeLimitMs ?? 10_000;
  const ordered = [...events].sort((a, b) => a.seq - b.seq);

  const invokes = new Map<string, InvokeEvent & { t: number }>();
  const answers = new Map<string, CompletionEvent & { t: number }>();
  const finalTasks = new Map<string, FinalTaskEvent>();
  const executionsByOp = new Map<string, FinalExecutionEvent[]>();
  const changes = new Map<string, StateChangeEvent[]>();
  const effects: EffectsEvent[] = [];
  const probes: ProbeEvent[] = [];
  const crashes: ExitEvent[] = [];
  const vmWorker = new Map<string, string | null>();
  const faults: Record<string, number> = {};
  const answerCounts: Record<string, number> = {};
  const api5xx: CheckReport['api5xx'] = [];
  const uncoded503: CheckReport['uncoded503'] = [];
  const redisUps: number[] = [];
  const vmsNotRunning: CheckReport['vmsNotRunning'] = [];
  let sawStateChanges = false;

  for (const event of ordered) {
    switch (event.type) {
      case 'vm':
        vmWorker.set(event.vmId, event.workerId);
        break;
      case 'invoke':
        invokes.set(event.op, event);
        break;
      case 'ok':
      case 'fail':
      case 'info': {
        answers.set(event.op, event);
        bump(answerCounts, `${event.type} ${event.httpStatus} ${event.code ?? '-'}`);
        if (event.httpStatus >= 500 && event.httpStatus !== 503 && !event.taskOutcome) {
          api5xx.push({
            source: `op ${event.op}`,
            httpStatus: event.httpStatus,
            code: event.code,
            at: event.t,
          });
        }
        if (event.httpStatus === 503 && !event.code)
          uncoded503.push({ source: `op ${event.op}`, at: event.t });
        break;
      }
      case 'probe':
        probes.push(event);
        if (event.httpStatus >= 500 && event.httpStatus !== 503) {
          api5xx.push({
            source: `probe ${event.method} ${event.path}`,
            httpStatus: event.httpStatus,
            code: event.code,
            at: event.t,
          });
        }
        if (event.httpStatus === 503 && !event.code) {
          uncoded503.push({ source: `probe ${event.method} ${event.path}`, at: event.t });
        }
        break;
      case 'exit':
        if (!event.expected) crashes.push(event);
        break;
      case 'final-task':
        finalTasks.set(event.taskId, event);
        break;
      case 'final-execution':
        if (event.op) {
          const list = executionsByOp.get(event.op) ?? [];
          list.push(event);
          executionsByOp.set(event.op, list);
        }
        break;
      case 'state-change': {
        sawStateChanges = true;
        const list = changes.get(event.entityId) ?? [];
        list.push(event);
        changes.set(event.entityId, list);
        break;
      }
      case 'effects':
        effects.push(event);
        break;
      case 'final-vm':
        if (event.status !== 'running') {
          vmsNotRunning.push({
            vmId: event.vmId,
            name: event.name,
            status: event.status,
            reason: event.statusReason,
          });
        }
        break;
      case 'kill':
      case 'restart':
      case 'redis-down':
      case 'pg-down':
      case 'pg-up':
        bump(faults, event.type);
        break;
      case 'redis-up':
        bump(faults, event.type);
        redisUps.push(event.t);
        break;
      default:
        break;
    }
  }

  // Every op's task: from the answer, else from the store's executions (outcome-unknown ops).
  const taskOfOp = new Map<string, string>();
  for (const [op, answer] of answers) if (answer.taskId) taskOfOp.set(op, answer.taskId);
  for (const [op, list] of executionsByOp) {
    const first = list.find((e) => e.taskId);
    if (first?.taskId && !taskOfOp.has(op)) taskOfOp.set(op, first.taskId);
  }

  const counts: CheckReport['counts'] = {
    attempted: invokes.size,
    acknowledged: 0,
    ok: 0,
    fail: 0,
    info: 0,
    unanswered: 0,
    recovered: 0,
    interrupted: 0,
    opTasks: taskOfOp.size,
  };
  const outcomes: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  const lost: CheckReport['lost'] = [];
  const notTerminal: CheckReport['notTerminal'] = [];
  const stale: CheckReport['stale'] = [];
  const reruns: CheckReport['reruns'] = [];
  const failedWithoutCode: CheckReport['failedWithoutCode'] = [];
  const terminalWithoutReason: CheckReport['terminalWithoutReason'] = [];

  for (const op of invokes.keys()) {
    const answer = answers.get(op);
    if (!answer) counts.unanswered++;
    else counts[answer.type]++;
    if (answer?.taskId) counts.acknowledged++;
    const taskId = taskOfOp.get(op) ?? null;
    if (!taskId) continue;
    const final = finalTasks.get(taskId);
    const status = final?.found ? final.status : null;
    const terminal = status !== null && TERMINAL.has(status);
    if (answer?.taskId) {
      if (!final?.found) {
        const why = final?.readError
          ? `acknowledged, and the task could not be read at the end (${final.readError})`
          : 'acknowledged, but the store has no such task';
        lost.push({ op, taskId, why });
      } else if (!terminal) lost.push({ op, taskId, why: `acknowledged, still ${status} at the end` });
    }
    if (!terminal) notTerminal.push({ op, taskId, status });
    if (answer?.type === 'info' && terminal) counts.recovered++;
    if (status) bump(outcomes, status);
    if (final?.errorCode) bump(errorCodes, final.errorCode);
    if (final?.errorCode && INTERRUPTED_CODES.has(final.errorCode)) counts.interrupted++;
    if (terminal && status !== 'completed' && !final?.errorCode) {
      failedWithoutCode.push({ op, taskId, status: status! });
    }
    if (terminal && !final?.statusReason?.trim()) terminalWithoutReason.push({ op, taskId, status: status! });
    if (answer?.type === 'ok' && final?.found && status !== 'completed') {
      stale.push({ op, taskId, why: `the caller was told completed; the store says ${status}` });
    }

    const history = changes.get(taskId) ?? [];
    const claims = history.filter((c) => c.to === 'processing');
    const claimCount = Math.max(claims.length, final?.claims ?? 0);
    const isExecute = final?.taskType === 'vm:execute' || final?.taskType == null;
    if (isExecute && claimCount > 1) {
      reruns.push({ op, taskId, claims: claimCount, reasons: claims.map((c) => c.reason) });
    }
    for (const change of history) {
      if (change.from !== null && TERMINAL.has(change.from)) {
        stale.push({
          op,
          taskId,
          why: `changed ${change.from} -> ${change.to} after ending (${change.reason})`,
        });
      }
    }
    const reclaimed = history.some((c) => c.from === 'processing' && c.to === 'processing');
    if (isExecute && reclaimed && status === 'completed') {
      stale.push({
        op,
        taskId,
        why: `completion accepted after another attempt re-claimed the running task (${claims.map((c) => c.reason).join('; ')})`,
      });
    }
  }

  // Effects: each op's marker must appear at most once, only in its own VM, only if submitted.
  const effectCount = new Map<string, { count: number; vms: Set<string> }>();
  const unexpected: CheckReport['unexpected'] = [];
  const unverifiedVms: CheckReport['unverifiedVms'] = [];
  const readableVms = new Set<string>();
  for (const event of effects) {
    if (!event.ops) {
      unverifiedVms.push({ vmId: event.vmId, error: event.error ?? 'unreadable' });
      continue;
    }
    readableVms.add(event.vmId);
    for (const op of event.ops) {
      const entry = effectCount.get(op) ?? { count: 0, vms: new Set<string>() };
      entry.count++;
      entry.vms.add(event.vmId);
      effectCount.set(op, entry);
      const invoke = invokes.get(op);
      const answer = answers.get(op);
      if (!invoke) unexpected.push({ op, vmId: event.vmId, why: 'effect of an op never submitted' });
      else if (invoke.vmId !== event.vmId) {
        unexpected.push({ op, vmId: event.vmId, why: `submitted to VM ${invoke.vmId}` });
      } else if (answer?.type === 'fail' && !answer.taskId && !taskOfOp.has(op)) {
        unexpected.push({
          op,
          vmId: event.vmId,
          why: `rejected (${answer.httpStatus} ${answer.code}) yet it ran`,
        });
      }
    }
  }
  const duplicated: CheckReport['duplicated'] = [];
  const ops = new Set([...effectCount.keys(), ...executionsByOp.keys()]);
  for (const op of ops) {
    const fx = effectCount.get(op);
    const executions = executionsByOp.get(op)?.length ?? 0;
    if ((fx?.count ?? 0) > 1 || executions > 1) {
      duplicated.push({ op, effects: fx?.count ?? 0, executions, vms: [...(fx?.vms ?? [])] });
    }
  }
  duplicated.sort((a, b) => a.op.localeCompare(b.op));

  const missingEffects: OpRef[] = [];
  for (const [op, answer] of answers) {
    const invoke = invokes.get(op);
    if (answer.type !== 'ok' || answer.exitCode !== 0 || !invoke || !readableVms.has(invoke.vmId)) continue;
    if (!effectCount.has(op)) missingEffects.push({ op, taskId: answer.taskId });
  }

  let staleSource: CheckReport['staleSource'] = 'state-changes';
  if (!sawStateChanges) {
    staleSource = 'duplicated-effects';
    for (const d of duplicated)
      stale.push({ op: d.op, taskId: taskOfOp.get(d.op) ?? null, why: 'duplicated effect' });
  }

  // Probes taken while PostgreSQL was down must each be a 503 with a code.
  const probeGroups = new Map<string, ProbeEvent[]>();
  for (const probe of probes)
    probeGroups.set(probe.during, [...(probeGroups.get(probe.during) ?? []), probe]);
  const probeReport = [...probeGroups].map(([during, list]) => ({
    during,
    total: list.length,
    violations: during === 'pg-down' ? list.filter((p) => p.httpStatus !== 503 || !p.code) : [],
  }));

  // After each Redis restart: per worker owning VMs, time until an op submitted after it completes.
  const workers = new Set([...vmWorker.values()].filter((w): w is string => w !== null));
  const redisResume = redisUps.map((upAt) => {
    const perWorker: Record<string, number | null> = {};
    for (const worker of [...workers].sort()) {
      let best: number | null = null;
      for (const [op, answer] of answers) {
        const invoke = invokes.get(op);
        if (answer.type !== 'ok' || !invoke || invoke.t < upAt) continue;
        if (vmWorker.get(invoke.vmId) !== worker) continue;
        const ms = answer.t - upAt;
        if (best === null || ms < best) best = ms;
      }
      perWorker[worker] = best;
    }
    const values = Object.values(perWorker);
    const maxMs =
      values.length === 0 || values.some((v) => v === null) ? null : Math.max(...(values as number[]));
    return { upAt, perWorker, maxMs };
  });

  const durations: number[] = [];
  for (const [op, answer] of answers) {
    const invoke = invokes.get(op);
    if (invoke && answer.taskOutcome) durations.push(answer.t - invoke.t);
  }
  durations.sort((a, b) => a - b);

  const probeViolations = probeReport.reduce((n, p) => n + p.violations.length, 0);
  const violations: string[] = [];
  const must = (ok: boolean, line: string) => {
    if (!ok) violations.push(line);
  };
  must(lost.length === 0, `${lost.length} acknowledged tasks lost`);
  must(notTerminal.length === 0, `${notTerminal.length} op tasks not terminal at the end`);
  must(duplicated.length === 0, `${duplicated.length} ops committed more than once`);
  must(stale.length === 0, `${stale.length} stale writes accepted (${staleSource})`);
  must(unexpected.length === 0, `${unexpected.length} unexpected effects`);
  must(failedWithoutCode.length === 0, `${failedWithoutCode.length} failed tasks without an error code`);
  must(terminalWithoutReason.length === 0, `${terminalWithoutReason.length} terminal tasks without a reason`);
  must(api5xx.length === 0, `${api5xx.length} 5xx answers other than 503`);
  must(uncoded503.length === 0, `${uncoded503.length} 503 answers without an error code`);
  must(probeViolations === 0, `${probeViolations} probes during the PostgreSQL outage were not a coded 503`);
  must(crashes.length === 0, `${crashes.length} processes exited unexpectedly`);
  must(unverifiedVms.length === 0, `${unverifiedVms.length} VMs whose effects could not be read`);
  for (const r of redisResume) {
    must(
      r.maxMs !== null && r.maxMs <= resumeLimitMs,
      `after the Redis restart at ${new Date(r.upAt).toISOString()} workers resumed in ${JSON.stringify(r.perWorker)} ms (limit ${resumeLimitMs})`,
    );
  }

  return {
    valid: violations.length === 0,
    violations,
    counts,
    outcomes,
    errorCodes,
    answers: answerCounts,
    faults,
    lost,
    notTerminal,
    duplicated,
    stale,
    staleSource,
    reruns,
    unexpected,
    failedWithoutCode,
    terminalWithoutReason,
    missingEffects,
    api5xx,
    uncoded503,
    probes: probeReport,
    crashes,
    unverifiedVms,
    redisResume,
    timeToAnswerMs: {
      p50: percentile(durations, 50),
      p99: percentile(durations, 99),
      max: durations.at(-1) ?? null,
    },
    vmsNotRunning,
  };
}

function top(map: Record<string, number>, limit = 12): string {
  const entries = Object.entries(map).sort((a, b) => b[1] - a[1]);
  const shown = entries.slice(0, limit).map(([k, v]) => `${k}=${v}`);
  if (entries.length > limit) shown.push(`(+${entries.length - limit} more)`);
  return shown.join(', ') || '-';
}

/** A one-screen summary of a report. */
export function formatSummary(report: CheckReport, historyFile?: string): string {
  const c = report.counts;
  const lines = [
    `fault test: ${report.valid ? 'VALID' : 'INVALID'}${historyFile ? `  (history: ${historyFile})` : ''}`,
    `  ops: attempted ${c.attempted}, acknowledged ${c.acknowledged}; ok ${c.ok}, fail ${c.fail}, info ${c.info}, unanswered ${c.unanswered}; recovered ${c.recovered}; interrupted ${c.interrupted}`,
    `  final task status: ${top(report.outcomes)}`,
    `  final error codes: ${top(report.errorCodes)}`,
    `  answers: ${top(report.answers, 10)}`,
    `  faults: ${top(report.faults)}`,
    `  lost ${report.lost.length}, not terminal ${report.notTerminal.length}, duplicated ${report.duplicated.length}, stale ${report.stale.length} (${report.staleSource}), re-runs ${report.reruns.length}, unexpected ${report.unexpected.length}`,
    `  failed without code ${report.failedWithoutCode.length}, terminal without reason ${report.terminalWithoutReason.length}, missing effects ${report.missingEffects.length} (informational)`,
    `  5xx other than 503: ${report.api5xx.length}; 503 without code: ${report.uncoded503.length}; crashes: ${report.crashes.length}; unverified VMs: ${report.unverifiedVms.length}`,
    `  probes: ${report.probes.map((p) => `${p.during} ${p.total} (${p.violations.length} bad)`).join(', ') || '-'}`,
    `  redis resume: ${report.redisResume.map((r) => JSON.stringify(r.perWorker)).join(' ') || '-'}`,
    `  VMs not running at the end: ${report.vmsNotRunning.map((v) => `${v.name} ${v.status} (${v.reason})`).join('; ') || 'none'}`,
    `  time to answer ms: p50 ${report.timeToAnswerMs.p50}, p99 ${report.timeToAnswerMs.p99}, max ${report.timeToAnswerMs.max}`,
  ];
  for (const v of report.violations) lines.push(`  ✗ ${v}`);
  return lines.join('\n');
}
