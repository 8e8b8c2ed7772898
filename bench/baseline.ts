import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The baseline: `true` spawned in an equivalent bare namespace set (user, PID, mount, IPC, UTS,
 * network) — or plainly, for the exec-into-a-warm-VM comparison — with nothing of Aetherium
 * around it: no API, queue, store or agent. Measured in a separate small process.
 */
export interface BaselineRun {
  samples: number[];
  perSecond: number;
}

const RUNNER = fileURLToPath(new URL('./spawn-baseline.mjs', import.meta.url));

export function runBaseline(
  mode: 'namespace' | 'plain',
  calls: number,
  concurrency = 1,
): Promise<BaselineRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [RUNNER, mode, String(calls), String(concurrency)],
      { maxBuffer: 16 << 20 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as BaselineRun)),
    );
  });
}
