import { useState } from 'preact/hooks';
import { post, type Schemas, seg } from '../../lib/api';
import { ErrorNotice } from '../states';
import type { CreatePreviewRequest } from './vm-types';

interface Props {
  vmId: string;
  onCreated: (preview: Schemas['CreatedPreview']) => void;
}

/** Makes a preview URL of a port inside the VM. */
export function PreviewForm({ vmId, onCreated }: Props) {
  const [port, setPort] = useState('');
  const [expiresIn, setExpiresIn] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const number = Number(port);
    if (!/^\d+$/.test(port.trim()) || number < 1 || number > 65_535) {
      setError(new Error('Port: a whole number from 1 to 65535.'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const body: CreatePreviewRequest = { port: number };
      if (expiresIn.trim())
        body.expires_in = /^\d+$/.test(expiresIn.trim()) ? Number(expiresIn) : expiresIn.trim();
      onCreated(await post<Schemas['CreatedPreview']>(`/vms/${seg(vmId)}/previews`, body));
    } catch (cause) {
      setError(cause instanceof Error ? cause : new Error(String(cause)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="inline-form" onSubmit={submit}>
      <div class="field">
        <label for="preview-port">Port</label>
        <input
          id="preview-port"
          inputmode="numeric"
          value={port}
          onInput={(e) => setPort(e.currentTarget.value)}
          placeholder="3000"
          aria-describedby="preview-port-hint"
          autocomplete="off"
        />
        <span id="preview-port-hint" class="hint">
          Where an app listens on 127.0.0.1 inside the VM.
        </span>
      </div>
      <div class="field">
        <label for="preview-expires">Expires in</label>
        <input
          id="preview-expires"
          value={expiresIn}
          onInput={(e) => setExpiresIn(e.currentTarget.value)}
          placeholder="1h"
          aria-describedby="preview-expires-hint"
          autocomplete="off"
        />
        <span id="preview-expires-hint" class="hint">
          Optional: 30m, 2h, 1d…
        </span>
      </div>
      <button type="submit" class="button primary" disabled={busy}>
        Create preview URL
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}
