import type { Access } from '../core/principal.js';
import type { Store } from '../core/store.js';
import { requireVm } from './visibility.js';

/** What a list across a caller's records filters on, besides its own filters. */
export interface ListScope {
  /** Absent for an `all` access: every project's records. */
  project?: string;
  vmId?: string;
}

/**
 * The caller's project (every project for an `all` access) and, when asked, one VM by id or
 * name, resolved as `GET /vms/{id}` does: deleted VMs included, another project's VM "not found".
 */
export async function listScope(
  store: Pick<Store, 'findVm'>,
  access: Access,
  vmIdOrName?: string,
): Promise<ListScope> {
  const vm =
    vmIdOrName === undefined
      ? undefined
      : await requireVm(store, access, vmIdOrName, { includeDeleted: true });
  return {
    ...(access.all ? {} : { project: access.project }),
    ...(vm ? { vmId: vm.id } : {}),
  };
}
