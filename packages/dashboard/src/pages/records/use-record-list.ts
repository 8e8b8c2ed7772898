// The read behind every list page: the newest records of one endpoint, narrowed by the filters
// in the page's URL (each filter is a query parameter of the endpoint too), read again when the
// live stream says some of them moved.
import type { FilterSpec } from '../../components/filters';
import { get, type Query } from '../../lib/api';
import { type Loaded, useApi } from '../../lib/use-api';
import { useLiveReload } from '../../lib/use-live-reload';
import { LIST_LIMIT } from './list-limit';

interface Options<Answer, Row> {
  /** The list endpoint, e.g. `/executions`. */
  path: string;
  filters: readonly FilterSpec[];
  query: URLSearchParams;
  /** The records in the endpoint's answer. */
  rows: (answer: Answer) => Row[];
  /** Whether a live event may have changed the list. */
  concerns: Parameters<typeof useLiveReload>[1];
}

export interface RecordList<Row> extends Loaded<Row[]> {
  /** The filters the list was read with, and the page's query that holds their values. */
  filters: readonly FilterSpec[];
  query: URLSearchParams;
  /** Some filter is set: an empty list then means "none match", not "none yet". */
  filtered: boolean;
}

export function useRecordList<Answer, Row>({
  path,
  filters,
  query,
  rows,
  concerns,
}: Options<Answer, Row>): RecordList<Row> {
  const values = filters.map((filter) => query.get(filter.name) ?? '');
  const list = useApi((signal) => {
    const filtersQuery: Query = Object.fromEntries(filters.map((filter, i) => [filter.name, values[i]]));
    return get<Answer>(path, { ...filtersQuery, limit: LIST_LIMIT }, signal).then(rows);
  }, values);
  useLiveReload(list.reload, concerns);
  return { ...list, filters, query, filtered: values.some(Boolean) };
}
