import { IdLink } from '../../components/cells';
import { StatusBadge } from '../../components/status';
import { duration } from '../../lib/format';
import type { JobStep } from './job-steps';
import { OutputExcerpt } from './output-excerpt';
import './records.css';

function commandLine(step: JobStep): string {
  return [step.spec.command, ...step.spec.args].join(' ');
}

/** One step of a job: what it runs, how it ended, and the end of its output. */
export function JobStepCard({ step }: { step: JobStep }) {
  const { execution, result } = step;
  const headingId = `step-${step.index + 1}`;
  return (
    <section class="card job-step" aria-labelledby={headingId}>
      <h3 id={headingId}>
        Step {step.index + 1}: <code>{commandLine(step)}</code>
      </h3>
      <dl class="facts">
        <dt>Result</dt>
        <dd>
          <StatusBadge status={step.state} />
        </dd>
        <dt>Exit code</dt>
        <dd>{result?.exit_code ?? execution?.exit_code ?? '—'}</dd>
        <dt>Duration</dt>
        <dd>{duration(execution?.duration_ms)}</dd>
        {result?.error ? (
          <>
            <dt>Error</dt>
            <dd>
              <code>{result.error.code}</code>: {result.error.message}
            </dd>
          </>
        ) : null}
        {execution ? (
          <>
            <dt>Execution</dt>
            <dd>
              <IdLink base="/executions" id={execution.id} />
              {step.state === 'running' ? ' (follow its output live there)' : ''}
            </dd>
          </>
        ) : null}
        {step.spec.cwd ? (
          <>
            <dt>Directory</dt>
            <dd class="mono">{step.spec.cwd}</dd>
          </>
        ) : null}
        <dt>Time limit</dt>
        <dd>{duration(step.spec.timeout_ms)}</dd>
      </dl>
      {execution ? (
        <>
          <OutputExcerpt
            name={`Step ${step.index + 1} standard output`}
            text={execution.stdout}
            truncated={execution.stdout_truncated}
          />
          <OutputExcerpt
            name={`Step ${step.index + 1} standard error`}
            text={execution.stderr}
            truncated={execution.stderr_truncated}
            stderr
          />
        </>
      ) : null}
    </section>
  );
}
