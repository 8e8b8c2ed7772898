/** A value as indented JSON, in a block that scrolls (and so takes focus, for the keyboard). */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  if (value === null || value === undefined) return <p class="muted">None.</p>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex lint/a11y/useSemanticElements: a scrolling <pre> takes focus to scroll by keyboard, and a region role to be named
    <pre class="output" tabIndex={0} role="region" aria-label={label}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
