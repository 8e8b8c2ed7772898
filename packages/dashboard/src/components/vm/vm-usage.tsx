import { ApiError, get, type Schemas, seg } from '../../lib/api';
import { bytes, when } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { ErrorNotice, Loading } from '../states';

type Vm = Schemas['Vm'];

const figure = (value: number | null, show: (n: number) => string) =>
  value === null ? <span class="muted">not read by this driver</span> : show(value);

/**
 * What a running VM uses, read when the overview opens or on request: a sample, not a stream,
 * and reading it costs the worker a look at the VM, so nothing polls it.
 */
export function VmUsagePanel({ vm }: { vm: Vm }) {
  const running = vm.status === 'running';
  const usage = useApi(
    (signal) =>
      running
        ? get<Schemas['VmUsage']>(`/vms/${seg(vm.id)}/usage`, undefined, signal)
        : Promise.resolve(null),
    [vm.id, running],
  );
  if (!running) return <p class="muted">Usage is read from a running VM.</p>;
  const notRunning = usage.error instanceof ApiError && usage.error.code === 'ERR_VM_NOT_RUNNING';
  return (
    <>
      {notRunning ? (
        <p class="muted">Usage is read from a running VM.</p>
      ) : (
        <ErrorNotice error={usage.error} />
      )}
      {usage.data ? (
        <dl class="facts">
          <dt>CPU time</dt>
          <dd>{figure(usage.data.cpu_seconds, (s) => `${s.toFixed(2)} s`)}</dd>
          <dt>Memory</dt>
          <dd>{figure(usage.data.memory_bytes, bytes)}</dd>
          <dt>Memory peak</dt>
          <dd>{figure(usage.data.memory_peak_bytes, bytes)}</dd>
          <dt>Disk</dt>
          <dd>{figure(usage.data.disk_bytes, bytes)}</dd>
          <dt>Processes</dt>
          <dd>{figure(usage.data.processes, String)}</dd>
          <dt>Read at</dt>
          <dd>{when(usage.data.sampled_at)}</dd>
        </dl>
      ) : usage.loading ? (
        <Loading what="Reading usage" />
      ) : null}
      <button type="button" class="button" onClick={usage.reload} disabled={usage.loading}>
        Read usage again
      </button>
    </>
  );
}
