import { useState } from 'preact/hooks';
import { type FilterSpec, Filters } from '../components/filters';
import { Link } from '../components/link';
import { Page } from '../components/page';
import { Empty, ErrorNotice, Loading } from '../components/states';
import { useDrivers } from '../components/vm/use-drivers';
import { matchesLocalFilters, VM_LIST_LIMIT, vmListQuery } from '../components/vm/vm-filters';
import { VM_STATUSES } from '../components/vm/vm-rules';
import { VmTable } from '../components/vm/vm-table';
import { get, type Schemas } from '../lib/api';
import { useLiveEvents } from '../lib/live-events';
import { useApi } from '../lib/use-api';
import type { PageProps } from './page-props';

type Vm = Schemas['Vm'];

export function VmsPage({ query }: PageProps) {
  const drivers = useDrivers();
  const apiQuery = vmListQuery(query);
  const list = useApi(
    (signal) => get<Schemas['VmList']>('/vms', apiQuery, signal),
    [JSON.stringify(apiQuery)],
  );
  // Status changes pushed by the event stream, shown at once, before any reload.
  const [live, setLive] = useState<Record<string, Vm['status']>>({});

  useLiveEvents((event) => {
    if (event.type === 'ready') {
      setLive({});
      list.reload();
      return;
    }
    if (event.type !== 'vm') return;
    const known = list.data?.vms.some((vm) => vm.id === event.vm_id);
    // A new VM, a deleted one, or a change a status filter may now exclude: read the list again.
    if (!known || event.status === 'deleted' || query.get('status')) list.reload();
    setLive((current) => ({ ...current, [event.vm_id]: event.status as Vm['status'] }));
  });

  const filters: FilterSpec[] = [
    { name: 'status', label: 'Status', options: VM_STATUSES },
    drivers ? { name: 'driver', label: 'Driver', options: drivers } : { name: 'driver', label: 'Driver' },
    { name: 'label', label: 'Label', placeholder: 'key=value' },
    { name: 'name', label: 'Name', placeholder: 'part of a name' },
  ];
  const vms = (list.data?.vms ?? [])
    .filter((vm) => matchesLocalFilters(vm, query))
    .map((vm) => ({ ...vm, status: live[vm.id] ?? vm.status }));

  return (
    <Page
      title="VMs"
      actions={
        <Link href="/vms/new" class="button primary">
          Create VM
        </Link>
      }
    >
      <Filters filters={filters} query={query} />
      <ErrorNotice error={list.error} />
      {list.data === undefined ? (
        list.error ? null : (
          <Loading what="Loading VMs" />
        )
      ) : vms.length === 0 ? (
        <Empty>{query.size > 0 ? 'No VM matches these filters.' : 'No VMs yet.'}</Empty>
      ) : (
        <>
          <VmTable vms={vms} />
          {list.data.vms.length >= VM_LIST_LIMIT ? (
            <p class="muted">Showing the first {VM_LIST_LIMIT} VMs; narrow the filters to see others.</p>
          ) : null}
        </>
      )}
    </Page>
  );
}
