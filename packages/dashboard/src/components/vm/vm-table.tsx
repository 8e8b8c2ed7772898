import type { Schemas } from '../../lib/api';
import { ago, when } from '../../lib/format';
import { Link } from '../link';
import { StatusBadge } from '../status';
import { VmLabels } from './vm-labels';

type Vm = Schemas['Vm'];

function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={when(iso)}>
      {ago(iso)}
    </time>
  );
}

/** VMs as a table; each name links to the VM's page. */
export function VmTable({ vms }: { vms: readonly Vm[] }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">VMs</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Driver</th>
            <th scope="col">Isolation</th>
            <th scope="col">Size</th>
            <th scope="col">Labels</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
          </tr>
        </thead>
        <tbody>
          {vms.map((vm) => (
            <tr key={vm.id}>
              <td>
                <Link href={`/vms/${encodeURIComponent(vm.id)}`} title={vm.id}>
                  {vm.name}
                </Link>
              </td>
              <td>
                <StatusBadge status={vm.status} />
              </td>
              <td>{vm.driver}</td>
              <td>{vm.isolation?.level ?? <span class="muted">—</span>}</td>
              <td>
                {vm.vcpus} vCPU · {vm.memory_mib} MiB
              </td>
              <td class="wrap">
                <VmLabels labels={vm.labels} />
              </td>
              <td>
                <Time iso={vm.created_at} />
              </td>
              <td>
                <Time iso={vm.expires_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
