/**
 * The fault test's history: one append-only JSONL file per run, in the spirit of Jepsen's
 * histories. Client events describe each submitted execution from the caller's side; fault events
 * say what was done to the cluster and when; `final-*`, `state-change` and `effects` events are the
 * store's and the VMs' state read once everything has drained. The checker reads nothing else.
 *
 * Client event semantics (per op, one `invoke` then exactly one of):
 * - `ok`   — the task completed (HTTP 200 with the execution);
 * - `fail` — a definite outcome other than completed: the task ended failed/cancelled (taskId
 *            set), or the request was rejected before anything was recorded (4xx, no taskId);
 * - `info` — outcome unknown to the caller (503 or network error mid-request, wait timeout): the
 *            op may or may not have been recorded; the final store scan tells.
 * Any of the three carrying a `taskId` means the submit was acknowledged.
 */
import { appendFileSync, readFileSync } from 'node:fs';

interface Base {
  /** Wall clock, ms since the epoch. */
  t: number;
  /** Order of writing within the file. */
  seq: number;
}

export interface MetaEvent {
  type: 'meta';
  runDir: string;
  settings: Record<string, unknown>;
}

export interface VmEvent {
  type: 'vm';
  vmId: string;
  name: string;
  workerId: string | null;
}

export interface InvokeEvent {
  type: 'invoke';
  op: string;
  vmId: string;
  loop: number;
}

export interface CompletionEvent {
  type: 'ok' | 'fail' | 'info';
  op: string;
  vmId: string;
  /** 0 when no HTTP answer arrived. */
  httpStatus: number;
  /** The error code of the answer (or of the task, when the answer carries a failed task). */
  code: string | null;
  taskId: string | null;
  executionId: string | null;
  /** Status of the task when the answer carried it. */
  taskStatus: string | null;
  /** The answer carried the task (a `?wait=true` outcome), not a bare error from the gateway. */
  taskOutcome: boolean;
  exitCode?: number | null;
  message?: string;
}

export interface FaultEvent {
  type: 'kill' | 'restart' | 'redis-down' | 'redis-up' | 'pg-down' | 'pg-up';
  process?: string;
  pid?: number | null;
  detail?: Record<string, unknown>;
}

export interface PhaseEvent {
  type: 'phase';
  name: string;
  edge: 'start' | 'end';
}

/** A request made to see how the API behaves during a fault (not an op). */
export interface ProbeEvent {
  type: 'probe';
  during: string;
  method: string;
  path: string;
  httpStatus: number;
  code: string | null;
  ms: number;
}

/** A cluster process ended. `expected` is false for an exit nobody asked for: a crash. */
export interface ExitEvent {
  type: 'exit';
  process: string;
  pid: number | null;
  code: number | null;
  signal: string | null;
  expected: boolean;
}

export interface FinalTaskEvent {
  type: 'final-task';
  taskId: string;
  found: boolean;
  taskType: string | null;
  status: string | null;
  statusReason: string | null;
  errorCode: string | null;
  workerId: string | null;
  vmId: string | null;
  retryCount: number | null;
  /** How many attempts claimed the task (the task's fencing token), where the API reports it. */
  claims: number | null;
  /** Set when the task could not be read (then `found` is false for want of an answer). */
  readError?: string;
}

export interface FinalExecutionEvent {
  type: 'final-execution';
  executionId: string;
  taskId: string | null;
  vmId: string;
  /** The op whose marker the command carries; null for executions that are not ops. */
  op: string | null;
  exitCode: number | null;
  errorCode: string | null;
  completed: boolean;
}

/** A VM at the end of the run. */
export interface FinalVmEvent {
  type: 'final-vm';
  vmId: string;
  name: string;
  status: string | null;
  statusReason: string | null;
  workerId: string | null;
}

/** One row of the store's state_changes log for a task. */
export interface StateChangeEvent {
  type: 'state-change';
  entityId: string;
  from: string | null;
  to: string;
  reason: string;
  at: string;
}

/** The op markers found in a VM's effects file, in file order (or why it could not be read). */
export interface EffectsEvent {
  type: 'effects';
  vmId: string;
  ops: string[] | null;
  error?: string;
}

export interface NoteEvent {
  type: 'note';
  message: string;
  detail?: Record<string, unknown>;
}

export type HistoryEventBody =
  | MetaEvent
  | VmEvent
  | InvokeEvent
  | CompletionEvent
  | FaultEvent
  | PhaseEvent
  | ProbeEvent
  | ExitEvent
  | FinalTaskEvent
  | FinalExecutionEvent
  | FinalVmEvent
  | StateChangeEvent
  | EffectsEvent
  | NoteEvent;

export type HistoryEvent = HistoryEventBody & Base;

/** Appends events to `file`, one JSON object per line, synchronously (a crash keeps what was written). */
export class HistoryWriter {
  private seq = 0;

  constructor(readonly file: string) {
    appendFileSync(file, '');
  }

  append<E extends HistoryEventBody>(event: E, t = Date.now()): E & Base {
    const full = { t, seq: this.seq++, ...event };
    appendFileSync(this.file, `${JSON.stringify(full)}\n`);
    return full;
  }
}

/** Parses a history file; a torn last line (the writer died mid-write) is ignored. */
export function readHistory(file: string): HistoryEvent[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const events: HistoryEvent[] = [];
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as HistoryEvent);
    } catch (error) {
      if (index < lines.length - 2) throw new Error(`${file}:${index + 1}: ${(error as Error).message}`);
    }
  }
  return events;
}

/** The marker an op's command appends to its VM's effects file. */
export const EFFECTS_FILE = '/home/user/effects';

/** argv of op `op`: append its marker to the effects file, then take a moment, as real work would. */
export function effectCommand(op: string, sleepSeconds = 0.2): { command: string; args: string[] } {
  return { command: 'sh', args: ['-c', `echo ${op} >> ${EFFECTS_FILE}; sleep ${sleepSeconds}`] };
}

const OP_IN_COMMAND = /^echo (\S+) >> /;

/** The op marker an execution's argv carries, or null for executions that are not ops. */
export function opOfExecution(command: string, args: readonly string[]): string | null {
  if (command !== 'sh' || args[0] !== '-c' || typeof args[1] !== 'string') return null;
  return OP_IN_COMMAND.exec(args[1])?.[1] ?? null;
}
