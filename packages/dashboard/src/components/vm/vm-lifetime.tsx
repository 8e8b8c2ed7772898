import { useState } from 'preact/hooks';
import { post, type Schemas, seg } from '../../lib/api';
import { ago, when } from '../../lib/format';
import { useAction } from '../../lib/use-action';
import { ErrorNotice } from '../states';
import { formatSeconds } from './duration-text';
import type { ExtendVmRequest } from './vm-types';

type Vm = Schemas['Vm'];

const EXTENSIONS = [
  { seconds: 900, label: '15 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 6 * 3600, label: '6 hours' },
  { seconds: 86_400, label: '1 day' },
];

function Deadline({ iso }: { iso: string | null }) {
  if (!iso) return <span class="muted">none</span>;
  return (
    <time dateTime={iso}>
      {when(iso)} ({ago(iso)})
    </time>
  );
}

/** Moves the lifetime deadline later; only a VM that has one and has not ended can. */
function ExtendForm({ vm, onExtended }: { vm: Vm; onExtended: () => void }) {
  const [seconds, setSeconds] = useState(3600);
  const extending = useAction();
  const extend = async () => {
    const body: ExtendVmRequest = { ttl_seconds: seconds };
    await post<Vm>(`/vms/${seg(vm.id)}/extend`, body);
    onExtended();
  };
  return (
    <form class="inline-form" onSubmit={extending.submit(extend)}>
      <div class="field">
        <label for="extend-by">Extend lifetime by</label>
        <select id="extend-by" value={seconds} onChange={(e) => setSeconds(Number(e.currentTarget.value))}>
          {EXTENSIONS.map((option) => (
            <option key={option.seconds} value={option.seconds}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="button" disabled={extending.busy}>
        Extend
      </button>
      <ErrorNotice error={extending.error} />
    </form>
  );
}

/** When the VM ends on its own: its lifetime and idle deadlines, and what it then becomes. */
export function VmLifetime({ vm, onExtended }: { vm: Vm; onExtended: () => void }) {
  return (
    <>
      <dl class="facts">
        <dt>Lifetime</dt>
        <dd>{vm.ttl_seconds ? formatSeconds(vm.ttl_seconds) : <span class="muted">none</span>}</dd>
        <dt>Expires</dt>
        <dd>
          <Deadline iso={vm.expires_at} />
        </dd>
        <dt>Idle timeout</dt>
        <dd>
          {vm.idle_timeout_seconds ? formatSeconds(vm.idle_timeout_seconds) : <span class="muted">none</span>}
        </dd>
        <dt>Idle deadline</dt>
        <dd>
          <Deadline iso={vm.idle_expires_at} />
        </dd>
        <dt>Then</dt>
        <dd>{vm.on_expiry === 'delete' ? 'deleted' : vm.on_expiry === 'pause' ? 'paused' : 'stopped'}</dd>
      </dl>
      {vm.expires_at && vm.status !== 'deleted' ? <ExtendForm vm={vm} onExtended={onExtended} /> : null}
    </>
  );
}
