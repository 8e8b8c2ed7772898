import { useEffect, useState } from 'preact/hooks';
import { href, navigate } from '../../lib/router';
import { normalizeDir } from './file-paths';

/** Jumps to a directory by its path: absolute, or relative to the home (`~` is the home). */
export function GoToPathForm({ vmId, dir }: { vmId: string; dir: string }) {
  const [text, setText] = useState(dir);
  useEffect(() => setText(dir), [dir]);
  const submit = (event: Event) => {
    event.preventDefault();
    const typed = text.trim().replace(/^~\/?/, '');
    navigate(href(`/vms/${encodeURIComponent(vmId)}/files`, { path: normalizeDir(typed) }));
  };
  return (
    <form class="inline-form" onSubmit={submit}>
      <div class="field">
        <label for="files-path">Path</label>
        <input
          id="files-path"
          class="mono"
          value={text}
          placeholder="~ (home) or /tmp"
          onInput={(e) => setText(e.currentTarget.value)}
          autocomplete="off"
          spellcheck={false}
        />
      </div>
      <button type="submit" class="button">
        Go
      </button>
    </form>
  );
}
