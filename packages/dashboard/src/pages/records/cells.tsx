// Table cells and facts the record pages share: links to records by id, and times that read
// relative with the exact time on hover and for machines.
import { Link } from '../../components/link';
import { ago, shortId, when } from '../../lib/format';

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

/** `3 min ago`, as a <time> carrying the exact instant. */
export function Ago({ at }: { at: string | null | undefined }) {
  if (!at) return <>—</>;
  return (
    <time dateTime={at} title={when(at)}>
      {ago(at)}
    </time>
  );
}
