import { useState } from 'preact/hooks';
import { post, type Schemas, seg } from '../../lib/api';
import { useAction } from '../../lib/use-action';
import { FormField } from '../form-field';
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
  const creating = useAction();

  const create = async () => {
    const number = Number(port);
    if (!/^\d+$/.test(port.trim()) || number < 1 || number > 65_535)
      throw new Error('Port: a whole number from 1 to 65535.');
    const body: CreatePreviewRequest = { port: number };
    if (expiresIn.trim())
      body.expires_in = /^\d+$/.test(expiresIn.trim()) ? Number(expiresIn) : expiresIn.trim();
    onCreated(await post<Schemas['CreatedPreview']>(`/vms/${seg(vmId)}/previews`, body));
  };

  return (
    <form class="inline-form" onSubmit={creating.submit(create)}>
      <FormField id="preview-port" label="Port" hint="Where an app listens on 127.0.0.1 inside the VM.">
        {(describedBy) => (
          <input
            id="preview-port"
            inputmode="numeric"
            value={port}
            onInput={(e) => setPort(e.currentTarget.value)}
            placeholder="3000"
            aria-describedby={describedBy}
            autocomplete="off"
          />
        )}
      </FormField>
      <FormField id="preview-expires" label="Expires in" hint="Optional: 30m, 2h, 1d…">
        {(describedBy) => (
          <input
            id="preview-expires"
            value={expiresIn}
            onInput={(e) => setExpiresIn(e.currentTarget.value)}
            placeholder="1h"
            aria-describedby={describedBy}
            autocomplete="off"
          />
        )}
      </FormField>
      <button type="submit" class="button primary" disabled={creating.busy}>
        Create preview URL
      </button>
      <ErrorNotice error={creating.error} />
    </form>
  );
}
