// One thing the user asked for (a form sent, a row's button pressed): whether it is under way,
// and what went wrong, kept to show until the next attempt.
import { useCallback, useState } from 'preact/hooks';

type Work = () => Promise<unknown>;

export interface Action {
  busy: boolean;
  error: Error | undefined;
  /**
   * Runs `work`, busy meanwhile; the last error is cleared first and a new one kept. A check that
   * fails before sending throws too. Resolves to whether it succeeded; never rejects.
   */
  run: (work: Work) => Promise<boolean>;
  /** A form's submit handler that runs `work` instead of letting the browser send the form. */
  submit: (work: Work) => (event: Event) => void;
  /** Forgets the error (what it was about is no longer shown). */
  reset: () => void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const run = useCallback(async (work: Work) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (cause) {
      setError(cause instanceof Error ? cause : new Error(String(cause)));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const submit = useCallback(
    (work: Work) => (event: Event) => {
      event.preventDefault();
      void run(work);
    },
    [run],
  );
  const reset = useCallback(() => setError(undefined), []);
  return { busy, error, run, submit, reset };
}
