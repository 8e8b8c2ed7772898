import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';

interface Props {
  /** What the button says, and the dialog's confirming button. */
  label: string;
  /**
   * The button's full name for assistive technology where its word alone would be ambiguous, as
   * in a row of a table ("Remove notes.txt"); the dialog's button still says `label`.
   */
  name?: string;
  /** The button's classes, to replace the default look (e.g. `button small` in a table row). */
  class?: string;
  question: string;
  /** Explains what cannot be undone. */
  detail?: ComponentChildren;
  danger?: boolean;
  disabled?: boolean;
  onConfirm: () => Promise<void> | void;
}

/** A button that asks first, in a modal dialog that keeps focus until answered. */
export function ConfirmButton({
  label,
  name,
  class: buttonClass,
  question,
  detail,
  danger,
  disabled,
  onConfirm,
}: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  // Several dialogs share a page (one per row): each heading needs its own id.
  const titleId = useId();
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };
  return (
    <>
      <button
        type="button"
        class={buttonClass ?? (danger ? 'button danger' : 'button')}
        aria-label={name}
        disabled={disabled || busy}
        onClick={() => dialog.current?.showModal()}
      >
        {label}
      </button>
      <dialog ref={dialog} class="dialog" aria-labelledby={titleId}>
        <h2 id={titleId}>{question}</h2>
        {detail ? <p>{detail}</p> : null}
        <div class="dialog-actions">
          <button type="button" class="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button
            type="button"
            class={danger ? 'button danger' : 'button primary'}
            disabled={busy}
            onClick={confirm}
          >
            {busy ? 'Working…' : label}
          </button>
        </div>
      </dialog>
    </>
  );
}
