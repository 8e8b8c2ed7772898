import { duration } from '../../lib/format';
import type { StreamEnd, StreamPhase } from './use-execution-stream';

interface Props {
  phase: StreamPhase;
  end: StreamEnd | null;
  failure: string | null;
}

/** One line saying where the command is: running, or how it ended (exit code and duration). */
export function StreamOutcome({ phase, end, failure }: Props) {
  if (end?.type === 'exit') {
    const execution = end.execution;
    const how = end.timed_out
      ? 'Timed out'
      : end.exit_code === null
        ? `Ended by ${execution.signal ?? 'a signal'}`
        : `Exited with code ${end.exit_code}`;
    return (
      <p class="stream-outcome" role="status">
        <strong>{how}</strong>
        {execution.duration_ms !== null ? ` after ${duration(execution.duration_ms)}` : ''}
      </p>
    );
  }
  if (end?.type === 'error') {
    return (
      <p class="stream-outcome notice notice-error" role="status">
        <strong>{end.code}</strong>: {end.message}
      </p>
    );
  }
  const text = {
    connecting: 'Connecting to the output…',
    live: 'Running; output appears as it is written…',
    reconnecting: 'Connection lost; reconnecting…',
    ended: 'Ended.',
    failed: `Could not follow the output: ${failure ?? 'unknown reason'}`,
  }[phase];
  return (
    <p
      class={phase === 'failed' ? 'stream-outcome notice notice-error' : 'stream-outcome muted'}
      role="status"
    >
      {text}
    </p>
  );
}
