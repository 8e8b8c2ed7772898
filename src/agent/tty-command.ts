/**
 * How a terminal exec is started: util-linux `script` gives the command a pseudo-terminal as its
 * controlling terminal. It needs no native module in this single-file agent and nothing
 * downloaded: it is in every Debian guest (bsdutils is Essential) and on every host.
 *
 * `script -c` hands one string to a shell ($SHELL, forced to /bin/sh here), so that string is
 * built here, inside the guest, from the argv: every word in single quotes, where nothing is
 * special but the quote itself (written '\''). The shell sets the initial size, restores the
 * request's SHELL, and `exec`s the command, which replaces it: the command is the terminal's
 * session leader, and script's exit status (`-e`) is the command's.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MAX_TERMINAL_CELLS, type TerminalSize } from '../core/driver.js';

/** What a terminal gets unless the request names its own. */
export const DEFAULT_TERM = 'xterm-256color';

/** The shell `script -c` runs the wrapper with: POSIX, in every guest. */
const WRAPPER_SHELL = '/bin/sh';

export interface TtyLaunch {
  /** Run `file` with `args` in `env`. */
  file: string;
  args: string[];
  env: Record<string, string>;
  /** The `-c` string: the wrapper shell's cmdline holds it until the command replaced the shell. */
  wrapper: string;
}

/** `word` as one single-quoted shell word, whatever it holds. */
export function quoteWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function cells(value: number, name: string): string {
  if (!Number.isInteger(value) || value < 1 || value > MAX_TERMINAL_CELLS) {
    throw new RangeError(`terminal ${name} must be an integer in [1, ${MAX_TERMINAL_CELLS}]`);
  }
  return String(value);
}

/**
 * The `script` invocation that runs `argv` (argv[0] as the shell's `exec` will find it) on a
 * terminal of `size`, in `env` (TERM defaulted). Echo stays on although our stdin is a pipe: the
 * client's own terminal is in raw mode, so the remote one must echo.
 */
export function ttyLaunch(
  scriptPath: string,
  argv: readonly string[],
  size: TerminalSize,
  env: Readonly<Record<string, string>>,
): TtyLaunch {
  const shell = env.SHELL === undefined ? 'unset SHELL' : `SHELL=${quoteWord(env.SHELL)}; export SHELL`;
  const wrapper = `stty rows ${cells(size.rows, 'rows')} cols ${cells(size.cols, 'cols')} 2>/dev/null; ${shell}; exec ${argv.map(quoteWord).join(' ')}`;
  return {
    file: scriptPath,
    args: ['--quiet', '--return', '--echo', 'always', '--command', wrapper, '/dev/null'],
    env: { TERM: DEFAULT_TERM, ...env, SHELL: WRAPPER_SHELL },
    wrapper,
  };
}

/**
 * Where `name` is run from, as execvp and the shell's `exec` look it up: as a path when it holds
 * a slash, else on `pathVar`; null when it is not an executable file. A terminal exec checks this
 * first, so a missing binary is a spawn failure there too, not the shell's exit 127.
 */
export async function findExecutable(name: string, pathVar: string, cwd: string): Promise<string | null> {
  const candidates = name.includes('/')
    ? [resolve(cwd, name)]
    : pathVar.split(':').map((dir) => resolve(cwd, dir === '' ? '.' : dir, name));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
