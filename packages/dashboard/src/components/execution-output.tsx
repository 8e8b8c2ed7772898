// A command's output as it streams: stdout and stderr in order, stderr lines marked with a
// word (not only a colour), then how the command ended.
import { useLayoutEffect, useRef } from 'preact/hooks';
import { StreamOutcome } from './vm/stream-outcome';
import { type StoredOutput, type StreamEnd, useExecutionStream } from './vm/use-execution-stream';
import '../vms.css';

interface Props {
  executionId: string;
  /** The execution record's output, shown if the stream replays none (an execution from before streams were stored). */
  stored?: StoredOutput;
  /** Called once the command has ended (an `exit` or an `error` of the execution). */
  onEnd?: (end: StreamEnd) => void;
}

export function ExecutionOutput({ executionId, stored, onEnd }: Props) {
  const stream = useExecutionStream(executionId, { stored, onEnd });
  const box = useRef<HTMLPreElement>(null);
  // Follow the newest output, unless the reader scrolled up to read older lines.
  const following = useRef(true);
  const { lines, dropped } = stream.output;
  useLayoutEffect(() => {
    const element = box.current;
    if (element && following.current) element.scrollTop = element.scrollHeight;
  });
  const onScroll = () => {
    const element = box.current;
    if (element) following.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
  };
  const hasStderr = lines.some((line) => line.stream === 'stderr');
  return (
    <div class="execution-output">
      {dropped > 0 ? <p class="muted">{dropped} earlier lines are not shown.</p> : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must be reachable by keyboard to scroll it */}
      <pre ref={box} class="output" role="log" aria-label="Output" tabIndex={0} onScroll={onScroll}>
        {lines.length === 0 ? <span class="muted-output">{stream.end ? '(no output)' : ''}</span> : null}
        {lines.map((line, index) =>
          line.stream === 'stderr' ? (
            <span key={index} class="stderr">
              <span class="stream-mark">stderr│</span>
              {line.text}
              {line.open ? '' : '\n'}
            </span>
          ) : (
            <span key={index}>
              {line.text}
              {line.open ? '' : '\n'}
            </span>
          ),
        )}
      </pre>
      {hasStderr ? <p class="hint">Lines marked “stderr│” were written to standard error.</p> : null}
      <StreamOutcome phase={stream.phase} end={stream.end} failure={stream.failure} />
      {stream.phase === 'failed' ? (
        <button type="button" class="button" onClick={stream.retry}>
          Follow the output again
        </button>
      ) : null}
    </div>
  );
}
