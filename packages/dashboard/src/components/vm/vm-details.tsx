import type { Schemas } from '../../lib/api';
import { when } from '../../lib/format';
import { VmLabels } from './vm-labels';

type Vm = Schemas['Vm'];

function Isolation({ isolation }: { isolation: Vm['isolation'] }) {
  if (!isolation) return <span class="muted">not reported</span>;
  return (
    <>
      <strong>{isolation.level}</strong> ({isolation.kernel} kernel) — {isolation.summary}
    </>
  );
}

function Limits({ limits }: { limits: NonNullable<Vm['isolation']>['limits'] | undefined }) {
  if (!limits) return <span class="muted">not reported</span>;
  return (
    <>
      {limits.enforced ? 'enforced' : 'not enforced'}: {limits.mechanism}
      {limits.pids !== null ? ` · ${limits.pids} tasks` : ''}
      {limits.disk_mib !== null ? ` · disk ${limits.disk_mib} MiB` : ''}
      {limits.tmp_mib !== null ? ` · /tmp ${limits.tmp_mib} MiB` : ''}
    </>
  );
}

/** What the VM is: id, driver, isolation, size, where it runs. */
export function VmDetails({ vm }: { vm: Vm }) {
  return (
    <dl class="facts">
      <dt>ID</dt>
      <dd>
        <code>{vm.id}</code>
      </dd>
      <dt>Driver</dt>
      <dd>{vm.driver}</dd>
      <dt>Isolation</dt>
      <dd>
        <Isolation isolation={vm.isolation} />
      </dd>
      <dt>Limits</dt>
      <dd>
        <Limits limits={vm.isolation?.limits} />
      </dd>
      <dt>Size</dt>
      <dd>
        {vm.vcpus} vCPU · {vm.memory_mib} MiB memory
      </dd>
      <dt>Image</dt>
      <dd>{vm.image ?? <span class="muted">driver default</span>}</dd>
      <dt>Network</dt>
      <dd>{vm.network ? 'outbound allowed' : 'loopback only'}</dd>
      <dt>Labels</dt>
      <dd>
        <VmLabels labels={vm.labels} />
      </dd>
      <dt>Worker</dt>
      <dd>{vm.worker_id ?? <span class="muted">not placed yet</span>}</dd>
      <dt>Restarts</dt>
      <dd>
        {vm.restart_policy}
        {vm.restart_policy === 'on-failure' ? ` (${vm.restarts} of ${vm.restart_max} used)` : ''}
      </dd>
      <dt>Created</dt>
      <dd>{when(vm.created_at)}</dd>
      <dt>Started</dt>
      <dd>{when(vm.started_at)}</dd>
    </dl>
  );
}
