import { useEffect, useRef, useState } from 'preact/hooks';

interface Props {
  /** What the secret is, e.g. "API key ci on main". */
  title: string;
  secret: string;
  /** How the secret is used, under the warning. */
  usage?: string;
  onDone: () => void;
}

/**
 * A secret the API returns once (a new API key, a webhook's signing secret): shown with a copy
 * button and the warning that it cannot be shown again. Also used by the webhooks page.
 */
export function OneTimeSecret({ title, secret, usage, onDone }: Props) {
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  const box = useRef<HTMLElement>(null);
  // The secret appears above the form that made it: take the reader there.
  useEffect(() => box.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // No clipboard (plain http, permission refused): the box selects all on click instead.
      setCopied('failed');
    }
  };
  return (
    <section class="card notice-ok" aria-labelledby="secret-title" ref={box} tabIndex={-1}>
      <h2 id="secret-title">{title}</h2>
      <p>
        <strong>Copy it now: it won't be shown again.</strong> {usage}
      </p>
      <p class="secret">{secret}</p>
      <div class="dialog-actions">
        <span role="status" class="muted">
          {copied === 'yes'
            ? 'Copied to the clipboard.'
            : copied === 'failed'
              ? 'Copy failed: select the text.'
              : ''}
        </span>
        <button type="button" class="button primary" onClick={copy}>
          Copy
        </button>
        <button type="button" class="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
