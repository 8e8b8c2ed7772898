// The VM list's filters: what the API filters (status, label) and what it does not (driver,
// name), which the page applies to the answer.
import type { Query, Schemas } from '../../lib/api';

type Vm = Schemas['Vm'];

/** Most VMs one page lists; the page says so when there may be more. */
export const VM_LIST_LIMIT = 500;

export function vmListQuery(query: URLSearchParams): Query {
  const status = query.get('status');
  return {
    status,
    label: query.get('label'),
    // Deleted VMs are left out of the list unless asked for.
    include_deleted: status === 'deleted' ? true : undefined,
    limit: VM_LIST_LIMIT,
  };
}

export function matchesLocalFilters(vm: Vm, query: URLSearchParams): boolean {
  const driver = query.get('driver');
  const name = query.get('name')?.toLowerCase();
  return (!driver || vm.driver === driver) && (!name || vm.name.toLowerCase().includes(name));
}
