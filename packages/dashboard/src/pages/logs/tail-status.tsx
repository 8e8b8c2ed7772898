import type { LogTail } from './use-log-tail';
import { MAX_LINES } from './use-log-tail';

const STATE_WORDS = {
  loading: 'Loading history…',
  live: 'Live',
  reconnecting: 'Connection lost: reconnecting…',
  stopped: 'Stopped',
} as const;

/** Where the tail stands, and the Pause/Follow toggle. */
export function TailStatus({ tail }: { tail: LogTail }) {
  const { state, following, held, shown } = tail;
  return (
    <div class="log-status">
      {/* Only the state is announced: a count changing with every line would never stop talking. */}
      <strong role="status">
        {STATE_WORDS[state]}
        {state === 'live' ? (following ? ', following new lines' : ', paused') : ''}
      </strong>
      <span class="muted">
        {shown.lines.length} lines shown
        {!following && held > 0 ? `; ${held} new since paused` : ''}
        {shown.dropped > 0 ? `; older lines dropped to keep the newest ${MAX_LINES}` : ''}
      </span>
      <button
        type="button"
        class="button"
        disabled={state === 'stopped' || state === 'loading'}
        onClick={() => tail.setFollowing(!following)}
      >
        {following ? 'Pause' : 'Follow'}
      </button>
    </div>
  );
}
