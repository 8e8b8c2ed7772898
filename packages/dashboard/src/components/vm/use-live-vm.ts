// One VM, kept current by the event stream: a status change shows at once (from the event),
// then the VM is read again for everything else the change moved.
import { useEffect, useState } from 'preact/hooks';
import { get, type Schemas, seg } from '../../lib/api';
import { useLiveEvents } from '../../lib/live-events';
import { useApi } from '../../lib/use-api';

type Vm = Schemas['Vm'];

export interface LiveVm {
  vm: Vm | undefined;
  error: Error | undefined;
  reload: () => void;
  /** Shows what an action's answer says the VM is now, until the next read. */
  show: (vm: Vm) => void;
}

export function useLiveVm(idOrName: string): LiveVm {
  const loaded = useApi((signal) => get<Vm>(`/vms/${seg(idOrName)}`, undefined, signal), [idOrName]);
  const [latest, setLatest] = useState<Vm | undefined>(undefined);
  // A fresh read supersedes what events and answers said before it.
  useEffect(() => setLatest(undefined), [loaded.data]);
  const vm = latest ?? loaded.data;

  useLiveEvents((event) => {
    if (event.type === 'ready') loaded.reload();
    if (event.type !== 'vm') return;
    // Not read yet (the read may predate this change): read again, whichever VM it was.
    if (!vm) {
      loaded.reload();
      return;
    }
    if (event.vm_id !== vm.id) return;
    setLatest({ ...vm, status: event.status as Vm['status'], status_reason: event.reason });
    loaded.reload();
  });

  return { vm, error: loaded.error, reload: loaded.reload, show: setLatest };
}
