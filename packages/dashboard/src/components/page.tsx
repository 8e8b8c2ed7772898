import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

interface Props {
  title: string;
  /** Buttons or links at the right of the title (create, refresh). */
  actions?: ComponentChildren;
  children?: ComponentChildren;
}

/** One page: its heading (the first thing a screen reader lands on) and the tab's title. */
export function Page({ title, actions, children }: Props) {
  useEffect(() => {
    document.title = `${title} · Aetherium`;
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{title}</h1>
        {actions ? <div class="page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}
