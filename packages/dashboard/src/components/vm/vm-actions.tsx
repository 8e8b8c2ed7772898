import { useState } from 'preact/hooks';
import { del, post, type Schemas, seg } from '../../lib/api';
import { ConfirmButton } from '../confirm-button';
import { canDo, type VmAction } from './vm-rules';

type Vm = Schemas['Vm'];

interface Props {
  vm: Vm;
  /** The VM as an action's answer left it (e.g. `stopping`). */
  onChanged: (vm: Vm) => void;
  onSnapshot: (snapshot: Schemas['Snapshot']) => void;
  onDeleted: () => void;
  onError: (error: Error | undefined) => void;
}

async function perform(vm: Vm, action: VmAction, props: Props): Promise<void> {
  const path = `/vms/${seg(vm.id)}`;
  switch (action) {
    case 'snapshot':
      props.onSnapshot((await post<Schemas['SnapshotWriteAccepted']>(`${path}/snapshots`)).snapshot);
      return;
    case 'delete':
      await del<Schemas['VmWriteAccepted']>(path);
      props.onDeleted();
      return;
    default:
      props.onChanged((await post<Schemas['VmWriteAccepted']>(`${path}/${action}`)).vm);
  }
}

/** Stop, start, pause, resume, snapshot and delete; each enabled only where the API allows it. */
export function VmActions(props: Props) {
  const { vm, onError } = props;
  const [busy, setBusy] = useState<VmAction | null>(null);

  const run = async (action: VmAction) => {
    setBusy(action);
    onError(undefined);
    try {
      await perform(vm, action, props);
    } catch (error) {
      onError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setBusy(null);
    }
  };
  const disabled = (action: VmAction) => busy !== null || !canDo(action, vm.status);

  const button = (action: Exclude<VmAction, 'stop' | 'delete'>, label: string) => (
    <button type="button" class="button" disabled={disabled(action)} onClick={() => run(action)}>
      {busy === action ? `${label}…` : label}
    </button>
  );

  return (
    <>
      <ConfirmButton
        label="Stop"
        question={`Stop ${vm.name}?`}
        detail="Its processes end; its files are kept, and Start boots it again."
        disabled={disabled('stop')}
        onConfirm={() => run('stop')}
      />
      {button('start', 'Start')}
      {button('pause', 'Pause')}
      {button('resume', 'Resume')}
      {button('snapshot', 'Snapshot')}
      <ConfirmButton
        label="Delete"
        danger
        question={`Delete ${vm.name}?`}
        detail="Its processes and files are gone for good."
        disabled={disabled('delete')}
        onConfirm={() => run('delete')}
      />
    </>
  );
}
