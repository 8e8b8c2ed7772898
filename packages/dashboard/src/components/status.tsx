// A status reads as a word first; the colour and the mark beside it only repeat it, so nothing
// is told by colour alone.

const TONES: Record<string, 'ok' | 'busy' | 'idle' | 'bad'> = {
  running: 'ok',
  completed: 'ok',
  succeeded: 'ok',
  ready: 'ok',
  active: 'ok',
  healthy: 'ok',
  delivered: 'ok',
  accepted: 'ok',
  pending: 'busy',
  processing: 'busy',
  creating: 'busy',
  starting: 'busy',
  stopping: 'busy',
  pausing: 'busy',
  resuming: 'busy',
  deleting: 'busy',
  restarting: 'busy',
  draining: 'busy',
  waiting: 'busy',
  stopped: 'idle',
  paused: 'idle',
  hibernated: 'idle',
  deleted: 'idle',
  cancelled: 'idle',
  revoked: 'idle',
  expired: 'idle',
  failed: 'bad',
  lost: 'bad',
  dead: 'bad',
  error: 'bad',
  refused: 'bad',
  timeout: 'bad',
};

const MARKS = { ok: '●', busy: '◐', idle: '○', bad: '✕' } as const;

export function StatusBadge({ status }: { status: string }) {
  const tone = TONES[status] ?? 'idle';
  return (
    <span class={`badge badge-${tone}`}>
      <span aria-hidden="true">{MARKS[tone]}</span> {status}
    </span>
  );
}
