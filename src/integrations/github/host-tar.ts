/**
 * The host's `tar` as a stream at either end: packing a checkout into a byte stream, extracting
 * a byte stream into a folder. argv arrays, never a shell; the archive never sits whole in
 * memory or on disk.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AetherError } from '../../core/errors.js';

/** What a failing tar said last, for the error message; its stderr is never kept in full. */
const STDERR_TAIL_CHARS = 2_000;

function spawnTar(args: string[], stdin: 'pipe' | 'ignore', stdout: 'pipe' | 'ignore'): ChildProcess {
  return spawn('tar', args, {
    env: { PATH: process.env.PATH, LANG: 'C' },
    stdio: [stdin, stdout, 'pipe'],
  });
}

/** Resolves with tar's exit code (null when a signal ended it or it never started) and stderr's tail. */
function finished(child: ChildProcess): Promise<{ code: number | null; said: string }> {
  let said = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    said = (said + text).slice(-STDERR_TAIL_CHARS);
  });
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, said: said || error.message }));
    child.once('close', (code) => resolve({ code, said }));
  });
}

function tarFailed(verb: string, said: string, code: number | null): AetherError {
  const last = said.trim().split('\n').slice(-3).join(' / ');
  return new AetherError('ERR_INTEGRATION_FAILED', `tar ${verb} failed: ${last || `exit ${code}`}`, {
    details: { integration: 'github' },
  });
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * tar's stdout as it is written. The iteration throws when tar exits non-zero, so that a reader
 * never mistakes a failed pack for a complete one; ending the iteration early kills tar.
 */
export async function* tarOutput(args: string[]): AsyncGenerator<Uint8Array> {
  const child = spawnTar(args, 'ignore', 'pipe');
  const done = finished(child);
  try {
    // A tar that never started has no stdout to read: `done` says why.
    if (child.stdout) for await (const chunk of child.stdout) yield chunk as Uint8Array;
    const { code, said } = await done;
    if (code !== 0) throw tarFailed('-c', said, code);
  } finally {
    stop(child);
  }
}

/**
 * Feeds `source` to tar's stdin and waits for tar to finish. More than `maxBytes` of archive, a
 * source that throws, or a tar that exits non-zero reject with an AetherError, and tar is killed;
 * what it extracted until then stays in its folder for the caller to remove.
 */
export async function tarInput(
  args: string[],
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<void> {
  const child = spawnTar(args, 'pipe', 'ignore');
  const done = finished(child);
  let fed: unknown = null;
  try {
    if (!child.stdin) throw new AetherError('ERR_INTEGRATION_FAILED', 'tar -x has no stdin');
    await pipeline(source, byteLimit(maxBytes), child.stdin);
  } catch (error) {
    fed = error;
    stop(child);
  }
  const { code, said } = await done;
  // EPIPE: tar closed its stdin first — it refused the archive (its own words say more), or it
  // stopped at the end-of-archive marker, before the padding after it (then it exited 0).
  const tarStoppedReading = (fed as NodeJS.ErrnoException | null)?.code === 'EPIPE';
  if (fed !== null && !tarStoppedReading) {
    if (fed instanceof AetherError) throw fed;
    throw new AetherError('ERR_TRANSFER_ABORTED', `the archive stream was cut: ${messageOf(fed)}`, {
      cause: fed,
      details: { integration: 'github' },
    });
  }
  if (code !== 0) throw tarFailed('-x', said, code);
}

/** Passes bytes through until more than `maxBytes` went by, then fails the pipeline. */
function byteLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) {
        callback(
          new AetherError(
            'ERR_INTEGRATION_FAILED',
            `the VM's tree is larger than ${formatBytes(maxBytes)} packed; nothing was pushed`,
            { details: { integration: 'github', maxBytes } },
          ),
        );
      } else callback(null, chunk);
    },
  });
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 2 ? `${Math.round(bytes / 1024 ** 2)} MiB` : `${bytes} bytes`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
