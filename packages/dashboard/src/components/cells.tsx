// Table cells and facts every page shares: links to records by id, times that read relative
// with the exact time on hover and for machines, and the mark of a value that is not there.
import type { ComponentChildren } from 'preact';
import { ago, shortId, when } from '../lib/format';
import { Link } from './link';

/** A link to a record's page, showing the short id; the full id is in the title and the URL. */
export function IdLink({ base, id, full }: { base: string; id: string; full?: boolean }) {
  return (
    <Link href={`${base}/${encodeURIComponent(id)}`} class="mono" title={id}>
      {full ? id : shortId(id)}
    </Link>
  );
}

export function VmLink({ id, full }: { id: string | null | undefined; full?: boolean }) {
  return id ? <IdLink base="/vms" id={id} full={full} /> : <>—</>;
}

/** A dimmed dash where a record has no value, so the gap does not read as data. */
export function NoValue() {
  return <span class="muted">—</span>;
}

/** `3 min ago`, as a <time> carrying the exact instant; `empty` (a dash) when there is none. */
export function Ago({ at, empty = '—' }: { at: string | null | undefined; empty?: ComponentChildren }) {
  if (!at) return <>{empty}</>;
  return (
    <time dateTime={at} title={when(at)}>
      {ago(at)}
    </time>
  );
}
