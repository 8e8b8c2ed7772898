import { useState } from 'preact/hooks';
import { post, type Schemas, seg } from '../../lib/api';
import { useAction } from '../../lib/use-action';
import { FormField } from '../form-field';
import { ErrorNotice } from '../states';
import { shellRequest } from './command-line';

interface Props {
  vm: Schemas['Vm'];
  /** The execution the API started. */
  onStarted: (executionId: string) => void;
}

/** A shell line to run in the VM (`sh -c`); its output is followed by the caller. */
export function RunCommandForm({ vm, onStarted }: Props) {
  const [line, setLine] = useState('');
  const starting = useAction();
  const running = vm.status === 'running';

  const start = async () => {
    if (!line.trim()) throw new Error('Type a command to run.');
    const accepted = await post<Schemas['ExecuteAccepted']>(`/vms/${seg(vm.id)}/execute`, shellRequest(line));
    onStarted(accepted.execution_id);
  };

  return (
    <form class="inline-form run-form" onSubmit={starting.submit(start)}>
      <FormField
        id="run-command"
        label="Command"
        class="grow"
        hint={
          running
            ? 'Runs with sh -c, so pipes and redirections work.'
            : `The VM is ${vm.status}; commands run only in a running VM.`
        }
      >
        {(describedBy) => (
          <input
            id="run-command"
            class="mono"
            value={line}
            onInput={(event) => setLine(event.currentTarget.value)}
            placeholder="uname -a"
            autocomplete="off"
            spellcheck={false}
            aria-describedby={describedBy}
          />
        )}
      </FormField>
      <button type="submit" class="button primary" disabled={starting.busy || !running}>
        Run
      </button>
      <ErrorNotice error={starting.error} />
    </form>
  );
}
