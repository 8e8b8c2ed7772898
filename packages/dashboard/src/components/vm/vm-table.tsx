import type { Schemas } from '../../lib/api';
import { Ago, NoValue } from '../cells';
import { DataTable } from '../data-table';
import { Link } from '../link';
import { StatusBadge } from '../status';
import { VmLabels } from './vm-labels';

type Vm = Schemas['Vm'];

const COLUMNS = ['Name', 'Status', 'Driver', 'Isolation', 'Size', 'Labels', 'Created', 'Expires'];

function VmRow({ vm }: { vm: Vm }) {
  return (
    <tr>
      <td>
        <Link href={`/vms/${encodeURIComponent(vm.id)}`} title={vm.id}>
          {vm.name}
        </Link>
      </td>
      <td>
        <StatusBadge status={vm.status} />
      </td>
      <td>{vm.driver}</td>
      <td>{vm.isolation?.level ?? <NoValue />}</td>
      <td>
        {vm.vcpus} vCPU · {vm.memory_mib} MiB
      </td>
      <td class="wrap">
        <VmLabels labels={vm.labels} />
      </td>
      <td>
        <Ago at={vm.created_at} />
      </td>
      <td>
        <Ago at={vm.expires_at} empty={<NoValue />} />
      </td>
    </tr>
  );
}

/** VMs as a table; each name links to the VM's page. */
export function VmTable({ vms }: { vms: readonly Vm[] }) {
  return <DataTable caption="VMs" columns={COLUMNS} rows={vms} row={(vm) => <VmRow key={vm.id} vm={vm} />} />;
}
