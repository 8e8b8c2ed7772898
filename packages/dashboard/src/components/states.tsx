import type { ComponentChildren } from 'preact';
import { ApiError } from '../lib/api';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="muted" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

/** An API error as the API said it: the stable code and the message that says what to fix. */
export function ErrorNotice({ error }: { error: Error | undefined }) {
  if (!error) return null;
  return (
    <div class="notice notice-error" role="alert">
      <strong>{error instanceof ApiError ? error.code : 'Error'}</strong>: {error.message}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
