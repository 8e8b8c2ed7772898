import { Page } from '../components/page';
import { CreateVmForm } from '../components/vm/create-vm-form';
import { useDrivers } from '../components/vm/use-drivers';
import type { CreateVmRequest } from '../components/vm/vm-types';
import { post, type Schemas } from '../lib/api';
import { navigate } from '../lib/router';
import type { PageProps } from './page-props';

/** A form for a new VM; once the API has taken it, the VM's own page shows it come up live. */
export function VmCreatePage(_props: PageProps) {
  const drivers = useDrivers();
  const create = async (body: CreateVmRequest) => {
    const accepted = await post<Schemas['VmWriteAccepted']>('/vms', body);
    navigate(`/vms/${encodeURIComponent(accepted.vm.id)}`);
  };
  return (
    <Page title="Create a VM">
      <CreateVmForm drivers={drivers} onCreate={create} />
    </Page>
  );
}
