import { useEffect, useRef } from 'preact/hooks';
import { Link } from '../../components/link';
import { shortId, when } from '../../lib/format';
import type { LogLine } from './log-window';

/** `13:04:05.678` in local time: the date is in the tooltip, a tail is mostly about today. */
function clock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function About({ line }: { line: LogLine }) {
  const links = [
    line.vm_id ? (
      <Link key="vm" href={`/vms/${encodeURIComponent(line.vm_id)}`} title={line.vm_id}>
        vm {shortId(line.vm_id)}
      </Link>
    ) : null,
    line.task_id ? (
      <Link key="task" href={`/tasks/${encodeURIComponent(line.task_id)}`} title={line.task_id}>
        task {shortId(line.task_id)}
      </Link>
    ) : null,
    line.execution_id ? (
      <Link
        key="execution"
        href={`/executions/${encodeURIComponent(line.execution_id)}`}
        title={line.execution_id}
      >
        exec {shortId(line.execution_id)}
      </Link>
    ) : null,
  ].filter(Boolean);
  if (links.length === 0) return <span class="muted">—</span>;
  return <>{links.flatMap((link, i) => (i === 0 ? [link] : [' ', link]))}</>;
}

function Row({ line }: { line: LogLine }) {
  const stream = typeof line.fields.stream === 'string' ? line.fields.stream : undefined;
  return (
    <tr>
      <td class="mono">
        <time dateTime={line.time} title={when(line.time)}>
          {clock(line.time)}
        </time>
      </td>
      <td>
        <span class={`level level-${line.level}`}>{line.level}</span>
      </td>
      <td>{line.service}</td>
      <td>
        <About line={line} />
      </td>
      <td class="log-message">
        {stream ? <span class="tag">{stream}</span> : null} {line.message}
      </td>
    </tr>
  );
}

interface Props {
  lines: readonly LogLine[];
  /** Keep the newest line in view as lines arrive. */
  following: boolean;
}

/**
 * The lines in a scrolling region. Not an ARIA live region: a busy tail would talk over
 * everything; the status line above says when lines come in.
 */
export function LogTable({ lines, following }: Props) {
  const view = useRef<HTMLElement>(null);
  useEffect(() => {
    const element = view.current;
    if (following && element) element.scrollTop = element.scrollHeight;
  }, [lines, following]);
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it
    <section class="log-view" ref={view} tabIndex={0} aria-label="Log lines">
      <table>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Level</th>
            <th scope="col">Service</th>
            <th scope="col">About</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <Row key={line.id} line={line} />
          ))}
        </tbody>
      </table>
    </section>
  );
}
