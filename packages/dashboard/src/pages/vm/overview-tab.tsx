import { VmDetails } from '../../components/vm/vm-details';
import { VmLifetime } from '../../components/vm/vm-lifetime';
import { VmTimeline } from '../../components/vm/vm-timeline';
import { VmToolList } from '../../components/vm/vm-tools';
import { VmUsagePanel } from '../../components/vm/vm-usage';
import type { VmTabProps } from './tab-view';

export function OverviewTab({ vm, onVmChanged }: VmTabProps) {
  return (
    <>
      <section class="card">
        <h2 id="vm-details">Details</h2>
        <VmDetails vm={vm} />
      </section>
      <section class="card">
        <h2 id="vm-lifetime">Lifetime</h2>
        <VmLifetime vm={vm} onExtended={onVmChanged} />
      </section>
      <section class="card">
        <h2 id="vm-usage">Usage</h2>
        <VmUsagePanel vm={vm} />
      </section>
      <section class="card">
        <h2 id="vm-tools">Tools</h2>
        <VmToolList tools={vm.tools} />
      </section>
      <section class="card">
        <h2 id="vm-timeline">Timeline</h2>
        <VmTimeline vmId={vm.id} version={`${vm.status} ${vm.updated_at}`} />
      </section>
    </>
  );
}
