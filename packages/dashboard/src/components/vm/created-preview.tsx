import type { Schemas } from '../../lib/api';
import { when } from '../../lib/format';

/** A new preview's URL, which holds its token: shown once, here, never listed again. */
export function CreatedPreviewNotice({ preview }: { preview: Schemas['CreatedPreview'] }) {
  return (
    <div class="notice notice-ok" role="status">
      <p>
        Preview URL of port {preview.port}, until {when(preview.expires_at)}. It is shown only now: copy it or{' '}
        <a href={preview.url} target="_blank" rel="noopener noreferrer" class="button primary">
          Open<span class="sr-only"> (in a new tab)</span>
        </a>
      </p>
      <p class="secret">{preview.url}</p>
    </div>
  );
}
