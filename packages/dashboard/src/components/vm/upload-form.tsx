import { useRef, useState } from 'preact/hooks';
import type { Schemas } from '../../lib/api';
import { bytes } from '../../lib/format';
import { ErrorNotice } from '../states';
import { joinPath } from './file-paths';
import { uploadFile } from './upload-file';

interface Props {
  vmId: string;
  dir: string;
  /** Null when no session cookie authenticates (auth off): nothing to send then. */
  csrfToken: string | null;
  onUploaded: (result: Schemas['UploadResult']) => void;
}

/** Sends one chosen file into the directory shown, with its progress. */
export function UploadForm({ vmId, dir, csrfToken, onUploaded }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [error, setError] = useState<Error | undefined>();

  const submit = async (event: Event) => {
    event.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) {
      setError(new Error('Choose a file to upload first.'));
      return;
    }
    setError(undefined);
    setProgress({ sent: 0, total: file.size });
    try {
      const result = await uploadFile({
        vmId,
        path: joinPath(dir, file.name),
        file,
        csrfToken,
        onProgress: (sent, total) => setProgress({ sent, total }),
      });
      if (input.current) input.current.value = '';
      onUploaded(result);
    } catch (cause) {
      setError(cause instanceof Error ? cause : new Error(String(cause)));
    } finally {
      setProgress(null);
    }
  };

  return (
    <form class="inline-form" onSubmit={submit}>
      <div class="field">
        <label for="upload-file">Choose a file</label>
        <input id="upload-file" ref={input} type="file" />
      </div>
      <button type="submit" class="button primary" disabled={progress !== null}>
        Upload
      </button>
      {progress ? (
        <div class="upload-progress" role="status">
          <progress max={progress.total || 1} value={progress.sent} aria-label="Upload progress" />{' '}
          {bytes(progress.sent)} of {bytes(progress.total)}
        </div>
      ) : null}
      <ErrorNotice error={error} />
    </form>
  );
}
