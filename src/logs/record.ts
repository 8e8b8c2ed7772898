import type { LogLevel, LogRecord } from '../core/logs.js';

/**
 * Log calls bind ids under either spelling (`vmId` in older code, `vm_id` in the wire format);
 * both land in the same column or field, so a filter finds the line whichever was used.
 */
const ALIASES: Readonly<Record<string, 'vmId' | 'taskId' | 'executionId' | 'worker'>> = {
  vmId: 'vmId',
  vm_id: 'vmId',
  taskId: 'taskId',
  task_id: 'taskId',
  executionId: 'executionId',
  execution_id: 'executionId',
  workerId: 'worker',
  worker: 'worker',
};

/** pino's own keys, and ours that become columns: never repeated in `fields`. */
const OWN_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'service', 'project']);

function errorJson(error: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (error.stack) out.stack = error.stack;
  if (error.cause instanceof Error) out.cause = errorJson(error.cause);
  return out;
}

/** A JSON-safe copy: errors as objects, bigints as strings, cycles and functions left out. */
function jsonSafe(value: unknown): unknown {
  const seen = new WeakSet<object>();
  try {
    return JSON.parse(
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'bigint') return String(v);
        if (v instanceof Error) return errorJson(v);
        if (v !== null && typeof v === 'object') {
          if (seen.has(v)) return undefined;
          seen.add(v);
        }
        return v;
      }),
    );
  } catch {
    return undefined;
  }
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The record of one log call: `bindings` are the logger's (and its parents'), `obj` the call's
 * own fields, which win. Never throws: a field that cannot be copied is left out.
 */
export function recordFromLog(
  level: LogLevel,
  bindings: Readonly<Record<string, unknown>>,
  obj: object,
  msg: string | undefined,
  time = new Date(),
): LogRecord {
  const record: LogRecord = {
    time,
    level,
    service: 'aether',
    project: null,
    worker: null,
    vmId: null,
    taskId: null,
    executionId: null,
    message: msg ?? '',
    fields: {},
  };
  const fields: Record<string, unknown> = {};
  for (const source of [bindings, obj as Record<string, unknown>]) {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      const alias = ALIASES[key];
      if (alias) record[alias] = text(value) ?? record[alias];
      else if (key === 'service') record.service = text(value) ?? record.service;
      else if (key === 'project') record.project = text(value) ?? record.project;
      else if (key === 'msg' && msg === undefined) record.message = String(value);
      else if (!OWN_KEYS.has(key)) fields[key] = value;
    }
  }
  // Most calls carry only strings and numbers: those need no copy through JSON.
  const plain = Object.values(fields).every(
    (v) => v === null || (typeof v !== 'object' && typeof v !== 'bigint' && typeof v !== 'function'),
  );
  const safe = plain ? fields : jsonSafe(fields);
  record.fields = safe !== null && typeof safe === 'object' ? (safe as Record<string, unknown>) : {};
  return record;
}
