/**
 * Setting the guest clock from the host's time (after a boot without RTC, or a snapshot resume,
 * the guest clock may be far off). Runs `date -u -s @SECONDS.MILLIS` from argv, no shell: only
 * root (CAP_SYS_TIME in the initial time namespace) may, so a failure is "unsupported here".
 */
import { spawn } from 'node:child_process';

export type ClockResult = { ok: true; beforeMs: number; afterMs: number } | { ok: false; message: string };

const DATE_TIMEOUT_MS = 5_000;
const MAX_STDERR_BYTES = 1024;

/** `date`'s argument for an epoch time in ms: "@1700000000.042". */
export function dateArgument(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000);
  const millis = epochMs - seconds * 1000;
  return `@${seconds}.${String(millis).padStart(3, '0')}`;
}

export function setClock(epochMs: number, env: Readonly<Record<string, string>>): Promise<ClockResult> {
  const beforeMs = Date.now();
  return new Promise((resolve) => {
    let stderr = '';
    const child = spawn('date', ['-u', '-s', dateArgument(epochMs)], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), DATE_TIMEOUT_MS);
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += text;
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `cannot set the guest clock: date: ${error.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve({ ok: true, beforeMs, afterMs: Date.now() });
        return;
      }
      const why = stderr.trim().slice(0, MAX_STDERR_BYTES) || `date exited with ${code ?? signal}`;
      resolve({ ok: false, message: `cannot set the guest clock (the agent must run as root): ${why}` });
    });
  });
}
