import { useId, useRef, useState } from 'preact/hooks';

interface Props {
  /** The button's word ("Remove") and its full name for assistive technology ("Remove notes.txt"). */
  label: string;
  name: string;
  question: string;
  detail?: string;
  onConfirm: () => Promise<void>;
}

/**
 * A row's destructive action that asks first, in a modal dialog. Unlike ConfirmButton it ties
 * the dialog to its title by a generated id, so many rows (with any names) can each have one.
 */
export function ConfirmRowAction({ label, name, question, detail, onConfirm }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
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
        class="button small"
        aria-label={name}
        disabled={busy}
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
          <button type="button" class="button danger" disabled={busy} onClick={confirm}>
            {busy ? 'Working…' : label}
          </button>
        </div>
      </dialog>
    </>
  );
}
