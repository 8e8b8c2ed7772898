/** A VM's labels as `key=value` tags; a dash when it has none. */
export function VmLabels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="tag-list">
      {entries.map(([key, value]) => (
        <li key={key} class="tag">
          {key}={value}
        </li>
      ))}
    </ul>
  );
}
