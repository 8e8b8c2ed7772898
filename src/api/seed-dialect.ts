import { AetherError } from '../core/errors.js';
import { TASK_PRIORITIES, type TaskPriority } from '../core/task.js';
import type { OperationId } from './routes.js';
import { toolsFromSeed } from './seed-tools.js';

/**
 * Request bodies as the original Go system's documentation writes them, translated to ours
 * before validation, so its `curl` examples work as written. Our own spelling passes through
 * unchanged and stays the one the OpenAPI document describes; a body that gives one value both
 * ways, differently, is refused. docs/compatibility.md lists every translation.
 */

type Body = Record<string, unknown>;

/**
 * The original's numeric priority (0-10, default 5) in the bands its queue (asynq) put them in:
 * the same four names as ours. 0 was Go's "not given" there and kept the default queue.
 */
export const SEED_PRIORITY_BANDS: readonly { from: number; to: number; priority: TaskPriority }[] = [
  { from: 0, to: 0, priority: 'default' },
  { from: 1, to: 1, priority: 'low' },
  { from: 2, to: 4, priority: 'default' },
  { from: 5, to: 7, priority: 'high' },
  { from: 8, to: 10, priority: 'critical' },
];

const SCALE = SEED_PRIORITY_BANDS.map(({ from, to, priority }) =>
  from === to ? `${from} ${priority}` : `${from}-${to} ${priority}`,
).join(', ');

/** Our priority for the original's number; ERR_VALIDATION outside its 0-10 scale. */
export function priorityFromSeed(value: number): TaskPriority {
  const band = Number.isInteger(value)
    ? SEED_PRIORITY_BANDS.find((b) => value >= b.from && value <= b.to)
    : undefined;
  if (!band) {
    throw new AetherError(
      'ERR_VALIDATION',
      `priority: ${value} is not a whole number from 0 to 10 (${SCALE}); or send one of ${TASK_PRIORITIES.join(', ')}`,
      { details: { field: 'priority' } },
    );
  }
  return band.priority;
}

function priorityIn(body: Body): Body {
  return typeof body.priority === 'number' ? { ...body, priority: priorityFromSeed(body.priority) } : body;
}

/**
 * `from` (the original's field) renamed to `to` (ours), its value converted; refused when both
 * are given with different values.
 */
function renamed(
  body: Body,
  from: string,
  to: string,
  convert: (value: unknown) => unknown = (v) => v,
): Body {
  if (!Object.hasOwn(body, from)) return body;
  const { [from]: value, ...rest } = body;
  const ours = convert(value);
  if (Object.hasOwn(rest, to) && rest[to] !== ours) {
    throw new AetherError(
      'ERR_VALIDATION',
      `${from} and ${to} name the same value and differ (${JSON.stringify(value)}, ${JSON.stringify(rest[to])}); send only ${to}`,
      { details: { field: to } },
    );
  }
  return { ...rest, [to]: ours };
}

/** The original's `memory_mb` went to Firecracker as `mem_size_mib`: it was MiB all along. */
function memoryFromSeed(body: Body): Body {
  return renamed(body, 'memory_mb', 'memory_mib', (value) => {
    if (typeof value === 'number') return value;
    throw new AetherError('ERR_VALIDATION', 'memory_mb: must be a whole number of MiB (ours is memory_mib)', {
      details: { field: 'memory_mb' },
    });
  });
}

/** The original's log query times are milliseconds since the epoch; ours are ISO 8601. */
const epochMs = (field: string) => (value: unknown) => {
  if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15) {
    return new Date(value).toISOString();
  }
  throw new AetherError(
    'ERR_VALIDATION',
    `${field}: must be milliseconds since the epoch (or send ${field.replace('_time', '')} as an ISO 8601 time)`,
    { details: { field } },
  );
};

function logQueryFromSeed(body: Body): Body {
  if (Object.hasOwn(body, 'component')) {
    throw new AetherError(
      'ERR_VALIDATION',
      'component: logs are not filed by component here; filter by vm_id, task_id, execution_id, level or text',
      { details: { field: 'component' } },
    );
  }
  let out = renamed(body, 'search_text', 'text');
  out = renamed(out, 'start_time', 'start', epochMs('start_time'));
  return renamed(out, 'end_time', 'end', epochMs('end_time'));
}

const TRANSLATIONS: Partial<Record<OperationId, (body: Body) => Body>> = {
  createVm: (body) => toolsFromSeed(priorityIn(memoryFromSeed(body))),
  executeCommand: priorityIn,
  runJob: priorityIn,
  queryLogs: logQueryFromSeed,
};

/** The body of a request to `operationId` in our spelling; anything else is left to validation. */
export function bodyFromSeed(operationId: string | undefined, body: unknown): unknown {
  const translate =
    operationId && Object.hasOwn(TRANSLATIONS, operationId)
      ? TRANSLATIONS[operationId as OperationId]
      : undefined;
  if (!translate || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return translate(body as Body);
}
