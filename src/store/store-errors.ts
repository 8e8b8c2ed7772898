/**
 * Turns whatever pg, PGlite or Drizzle threw into an AetherError with a stable code, so callers
 * never match on driver messages. Drizzle wraps driver errors in `DrizzleQueryError` (`cause`), and
 * Node's happy-eyeballs connect wraps refusals in an `AggregateError`, so we walk both.
 */
import { AetherError, type ErrorCode, type ErrorFields, errorChain } from '../core/errors.js';

/** Socket-level failures: the server is down, restarting or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** SQLSTATEs meaning "try again later": connection exceptions, shutdown, too many connections. */
function isUnavailableSqlState(state: string): boolean {
  return (
    state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03' || state === '53300'
  );
}

/** Messages pg and PGlite use for dead connections; neither gives them a code. */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Cannot use a pool after calling end on the pool',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'PGlite is closed',
];

/** Foreign keys name the missing parent, which tells the caller which id was wrong. */
const FOREIGN_KEY_CODES: Record<string, ErrorCode> = {
  vms: 'ERR_VM_NOT_FOUND',
  tasks: 'ERR_TASK_NOT_FOUND',
  vm_jobs: 'ERR_JOB_NOT_FOUND',
};

export const VM_NAME_CONSTRAINT = 'vms_project_name_live_key';

function classify(e: ErrorFields): { code: ErrorCode; message: string } | null {
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const constraint = typeof e.constraint === 'string' ? e.constraint : '';
  if (NETWORK_CODES.has(code) || isUnavailableSqlState(code)) {
    return { code: 'ERR_STORE_UNAVAILABLE', message: `store unavailable: ${message || code}` };
  }
  if (UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) {
    return { code: 'ERR_STORE_UNAVAILABLE', message: `store unavailable: ${message}` };
  }
  if (code === '23505' && constraint === VM_NAME_CONSTRAINT) {
    return { code: 'ERR_VM_NAME_TAKEN', message: 'a VM with this name already exists' };
  }
  if (code === '23503') {
    const parent = /table "([^"]+)"\.?$/.exec(typeof e.detail === 'string' ? e.detail : '')?.[1];
    const mapped = parent === undefined ? undefined : FOREIGN_KEY_CODES[parent];
    if (mapped) return { code: mapped, message: `referenced row does not exist (${constraint})` };
  }
  // Wrong database name or credentials: a deployment problem, not a transient one.
  if (code === '3D000' || code === '28000' || code === '28P01') {
    return { code: 'ERR_CONFIG', message: `store misconfigured: ${message}` };
  }
  return null;
}

/** Maps a thrown value to an AetherError; unknown database errors become ERR_INTERNAL with cause. */
export function toStoreError(error: unknown): AetherError {
  if (error instanceof AetherError) return error;
  const all = errorChain(error);
  for (const e of all) {
    const hit = classify(e);
    if (hit) return new AetherError(hit.code, hit.message, { cause: error });
  }
  // The innermost message is the database's own; Drizzle's wrapper adds the SQL text and its
  // parameters, which may hold user data (env values), so it stays in `cause` only.
  const root = all.at(-1);
  const sqlState = typeof root?.code === 'string' ? root.code : undefined;
  const message = typeof root?.message === 'string' ? root.message : String(error);
  return new AetherError('ERR_INTERNAL', `store error: ${message}`, {
    cause: error,
    ...(sqlState ? { details: { sqlState } } : {}),
  });
}

/** Runs `fn` and rethrows any failure as an AetherError. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toStoreError(error);
  }
}
