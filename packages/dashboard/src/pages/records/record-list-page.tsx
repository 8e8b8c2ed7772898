import type { ComponentChildren } from 'preact';
import { DataTable, type DataTableProps } from '../../components/data-table';
import { Filters } from '../../components/filters';
import { Page } from '../../components/page';
import { ErrorNotice, Loading } from '../../components/states';
import { ListLimitNote } from './list-limit';
import type { RecordList } from './use-record-list';

interface Props<Row> extends Omit<DataTableProps<Row>, 'rows' | 'region' | 'empty'> {
  title: string;
  /** What an empty list means (none yet, or none that match the filters). */
  empty: ComponentChildren;
  list: RecordList<Row>;
  /** What the status line says while the first read runs ("Loading tasks"). */
  loading: string;
  /** A failed action's error, shown when the list itself has none. */
  actionError?: Error;
  /** Notices between the errors and the table (what an action did). */
  children?: ComponentChildren;
}

/** A list page: its filters, what went wrong, then the newest records as a table. */
export function RecordListPage<Row>({
  title,
  list,
  loading,
  empty,
  actionError,
  children,
  ...table
}: Props<Row>) {
  return (
    <Page title={title}>
      <Filters filters={list.filters} query={list.query} />
      <ErrorNotice error={list.error ?? actionError} />
      {children}
      {list.data ? (
        <>
          <DataTable rows={list.data} empty={empty} {...table} />
          <ListLimitNote shown={list.data.length} />
        </>
      ) : list.loading ? (
        <Loading what={loading} />
      ) : null}
    </Page>
  );
}
