/**
 * The access rule every service keeps: a record of a project the caller cannot see answers
 * exactly as a missing one (same code, same message), so ids of other projects leak nothing.
 */
import { AetherError, type ErrorCode } from '../core/errors.js';
import type { ExecutionRecord } from '../core/execution.js';
import { type Access, canSee } from '../core/principal.js';
import type { SnapshotRecord } from '../core/snapshot.js';
import type { Store } from '../core/store.js';
import type { VmRecord } from '../core/vm.js';

/** `record` when `access` may see it; otherwise the "not found" a missing record gets. */
export function visibleOr<T extends { project: string }>(
  access: Access,
  record: T | null | undefined,
  code: ErrorCode,
  message: string,
): T {
  if (!record || !canSee(access, record.project)) throw new AetherError(code, message);
  return record;
}

/**
 * A name resolves within the caller's project first; an `all` access falls back to the other
 * projects (ambiguous there: ERR_VM_NAME_AMBIGUOUS). Another project's VM is "not found".
 */
export async function requireVm(
  store: Pick<Store, 'findVm'>,
  access: Access,
  idOrName: string,
  options: { includeDeleted?: boolean } = {},
): Promise<VmRecord> {
  let vm = await store.findVm(idOrName, access.project);
  if (!vm && access.all) vm = await store.findVm(idOrName);
  const notFound = `no VM with id or name "${idOrName}"`;
  if (vm?.status === 'deleted' && !options.includeDeleted)
    throw new AetherError('ERR_VM_NOT_FOUND', notFound);
  return visibleOr(access, vm, 'ERR_VM_NOT_FOUND', notFound);
}

export async function requireExecution(
  store: Pick<Store, 'getExecution'>,
  access: Access,
  id: string,
): Promise<ExecutionRecord> {
  return visibleOr(
    access,
    await store.getExecution(id),
    'ERR_EXECUTION_NOT_FOUND',
    `no execution with id ${id}`,
  );
}

export async function requireSnapshot(
  store: Pick<Store, 'getSnapshot'>,
  access: Access,
  id: string,
): Promise<SnapshotRecord> {
  return visibleOr(
    access,
    await store.getSnapshot(id),
    'ERR_SNAPSHOT_NOT_FOUND',
    `no snapshot with id ${id}`,
  );
}
