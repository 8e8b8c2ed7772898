import { useState } from 'preact/hooks';
import { post, seg } from '../../lib/api';
import { ErrorNotice } from '../states';
import { entryNameProblem, joinPath } from './file-paths';
import type { MkdirRequest } from './vm-types';

/** Makes a folder in the directory shown. */
export function NewFolderForm({
  vmId,
  dir,
  onCreated,
}: {
  vmId: string;
  dir: string;
  onCreated: () => void;
}) {
  const [name, setName] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const problem = entryNameProblem(name);
    if (problem) {
      setError(new Error(`Folder name: ${problem}.`));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const body: MkdirRequest = { path: joinPath(dir, name.trim()), parents: false };
      await post(`/vms/${seg(vmId)}/files/mkdir`, body);
      setName('');
      onCreated();
    } catch (cause) {
      setError(cause instanceof Error ? cause : new Error(String(cause)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline-form" onSubmit={submit}>
      <div class="field">
        <label for="new-folder">New folder</label>
        <input
          id="new-folder"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          autocomplete="off"
        />
      </div>
      <button type="submit" class="button" disabled={busy}>
        Create folder
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}
