// The end of a command's output: what a reader of a failed step looks for first.

const EXCERPT_LINES = 20;

function tail(text: string): { text: string; cut: boolean } {
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.length <= EXCERPT_LINES) return { text: lines.join('\n'), cut: false };
  return { text: lines.slice(-EXCERPT_LINES).join('\n'), cut: true };
}

interface Props {
  /** `Standard output`, `Standard error`. */
  name: string;
  text: string;
  /** The stored output itself was capped by the platform. */
  truncated: boolean;
  stderr?: boolean;
}

export function OutputExcerpt({ name, text, truncated, stderr }: Props) {
  if (text === '') return null;
  const excerpt = tail(text);
  const label = excerpt.cut ? `${name}, last ${EXCERPT_LINES} lines` : name;
  return (
    <div class="field">
      <span class="muted">
        {label}
        {truncated ? ' (the stored output was capped)' : ''}
      </span>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex lint/a11y/useSemanticElements: a scrolling <pre> takes focus to scroll by keyboard, and a region role to be named */}
      <pre class="output" tabIndex={0} role="region" aria-label={label}>
        {stderr ? <span class="stderr">{excerpt.text}</span> : excerpt.text}
      </pre>
    </div>
  );
}
