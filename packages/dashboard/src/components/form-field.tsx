import type { ComponentChildren } from 'preact';

interface Props {
  id: string;
  label: string;
  hint?: ComponentChildren;
  /** What is wrong with the value, shown under it and announced with it. */
  problem?: string;
  /** Classes besides `field` (e.g. `grow`, to take the rest of a row). */
  class?: string;
  /** The control, given the ids it must point at: `aria-describedby` and `aria-invalid`. */
  children: (describedBy: string | undefined, invalid: boolean) => ComponentChildren;
}

/** A labelled form control with its hint and, after a failed check, what to fix. */
export function FormField({ id, label, hint, problem, class: extraClass, children }: Props) {
  const described = [hint ? `${id}-hint` : '', problem ? `${id}-problem` : ''].filter(Boolean).join(' ');
  return (
    <div class={extraClass ? `field ${extraClass}` : 'field'}>
      <label for={id}>{label}</label>
      {children(described || undefined, Boolean(problem))}
      {hint ? (
        <span id={`${id}-hint`} class="hint">
          {hint}
        </span>
      ) : null}
      {problem ? (
        <span id={`${id}-problem`} class="field-problem">
          {problem}
        </span>
      ) : null}
    </div>
  );
}
