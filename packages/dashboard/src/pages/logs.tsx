import '../logs.css';
import { type FilterSpec, Filters } from '../components/filters';
import { Page } from '../components/page';
import { Empty, ErrorNotice } from '../components/states';
import { LOG_PARAMS, type LogView, logViewOf } from './logs/log-filter';
import { LOG_LEVELS } from './logs/log-requests';
import { LogTable } from './logs/log-table';
import { TailStatus } from './logs/tail-status';
import { useLogTail } from './logs/use-log-tail';
import type { PageProps } from './page-props';

const FILTERS: readonly FilterSpec[] = [
  { name: LOG_PARAMS.vm, label: 'VM', placeholder: 'id or name' },
  { name: LOG_PARAMS.task, label: 'Task', placeholder: 'task id' },
  { name: LOG_PARAMS.execution, label: 'Execution', placeholder: 'execution id' },
  { name: LOG_PARAMS.level, label: 'Level (at least)', options: LOG_LEVELS },
  { name: LOG_PARAMS.grep, label: 'Containing', placeholder: 'text, case-sensitive' },
  { name: LOG_PARAMS.since, label: 'Since', placeholder: '10m, 2h, 1d' },
];

function viewOf(query: URLSearchParams): { view?: LogView; invalid?: Error } {
  try {
    return { view: logViewOf(query) };
  } catch (error) {
    return { invalid: error as Error };
  }
}

/** The platform's logs and command output, as `aether logs --follow` shows them, filters in the URL. */
export function LogsPage({ query }: PageProps) {
  const { view, invalid } = viewOf(query);
  const tail = useLogTail(view);
  return (
    <Page title="Logs">
      <Filters filters={FILTERS} query={query} />
      <ErrorNotice error={invalid ?? tail.error} />
      {view ? <TailStatus tail={tail} /> : null}
      {tail.shown.lines.length > 0 ? (
        <LogTable lines={tail.shown.lines} following={tail.following} />
      ) : tail.state === 'live' || tail.state === 'reconnecting' ? (
        <Empty>No lines match these filters yet; new ones appear here as they are written.</Empty>
      ) : null}
    </Page>
  );
}
