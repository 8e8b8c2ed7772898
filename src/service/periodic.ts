/**
 * A background pass run every interval, one at a time (a pass still running when the next is
 * due is not started twice), on a timer that never keeps the process alive; `stop` waits for the
 * pass under way. The pass handles its own failures: the next interval tries again.
 */
export interface Periodic {
  stop(): Promise<void>;
}

export function runPeriodically(intervalMs: number, pass: () => Promise<void>): Periodic {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    running ??= pass().finally(() => {
      running = null;
    });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
