import { useState } from 'preact/hooks';
import { post, seg } from '../../lib/api';
import { useAction } from '../../lib/use-action';
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
  const creating = useAction();
  const create = async () => {
    const problem = entryNameProblem(name);
    if (problem) throw new Error(`Folder name: ${problem}.`);
    const body: MkdirRequest = { path: joinPath(dir, name.trim()), parents: false };
    await post(`/vms/${seg(vmId)}/files/mkdir`, body);
    setName('');
    onCreated();
  };
  return (
    <form class="inline-form" onSubmit={creating.submit(create)}>
      <div class="field">
        <label for="new-folder">New folder</label>
        <input
          id="new-folder"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          autocomplete="off"
        />
      </div>
      <button type="submit" class="button" disabled={creating.busy}>
        Create folder
      </button>
      <ErrorNotice error={creating.error} />
    </form>
  );
}
