import { useState } from 'preact/hooks';
import { post, type Schemas, seg } from '../../lib/api';
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
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const running = vm.status === 'running';

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!line.trim()) {
      setError(new Error('Type a command to run.'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const accepted = await post<Schemas['ExecuteAccepted']>(
        `/vms/${seg(vm.id)}/execute`,
        shellRequest(line),
      );
      onStarted(accepted.execution_id);
    } catch (cause) {
      setError(cause instanceof Error ? cause : new Error(String(cause)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="inline-form run-form" onSubmit={submit}>
      <div class="field grow">
        <label for="run-command">Command</label>
        <input
          id="run-command"
          class="mono"
          value={line}
          onInput={(event) => setLine(event.currentTarget.value)}
          placeholder="uname -a"
          autocomplete="off"
          spellcheck={false}
          aria-describedby="run-command-hint"
        />
        <span id="run-command-hint" class="hint">
          {running
            ? 'Runs with sh -c, so pipes and redirections work.'
            : `The VM is ${vm.status}; commands run only in a running VM.`}
        </span>
      </div>
      <button type="submit" class="button primary" disabled={busy || !running}>
        Run
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}
