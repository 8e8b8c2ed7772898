import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TERM, findExecutable, quoteWord, ttyLaunch } from './tty-command.js';

describe('the terminal wrapper command', () => {
  it('quotes any word so that sh hands it back unchanged', () => {
    const words = ["it's", '$(id)', '`id`', '"', '\\', 'a b\tc\nd', '', "'", "''", '*', '-n', ';exit 1'];
    const script = `printf '%s\\0' ${words.map(quoteWord).join(' ')}`;
    const out = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(words);
  });

  it('sets the size, restores SHELL and execs the argv; script runs it under /bin/sh', () => {
    const launch = ttyLaunch('/usr/bin/script', ['vi', "a'b"], { cols: 100, rows: 30 }, { PATH: '/bin' });
    expect(launch.wrapper).toBe("stty rows 30 cols 100 2>/dev/null; unset SHELL; exec 'vi' 'a'\\''b'");
    expect(launch.args).toEqual([
      '--quiet',
      '--return',
      '--echo',
      'always',
      '--command',
      launch.wrapper,
      '/dev/null',
    ]);
    expect(launch.env).toEqual({ PATH: '/bin', TERM: DEFAULT_TERM, SHELL: '/bin/sh' });
    const own = ttyLaunch(
      '/usr/bin/script',
      ['sh'],
      { cols: 1, rows: 1 },
      { SHELL: '/bin/zsh', TERM: 'dumb' },
    );
    expect(own.wrapper).toContain("SHELL='/bin/zsh'; export SHELL; exec 'sh'");
    expect(own.env.TERM).toBe('dumb');
  });

  it('refuses sizes that are not whole cells in range', () => {
    for (const size of [
      { cols: 0, rows: 1 },
      { cols: 1, rows: 2001 },
      { cols: 1.5, rows: 1 },
      { cols: Number.NaN, rows: 1 },
    ]) {
      expect(() => ttyLaunch('/usr/bin/script', ['sh'], size, {})).toThrow(RangeError);
    }
  });

  it('finds executables as execvp does', async () => {
    expect(await findExecutable('sh', '/nonexistent:/usr/bin:/bin', '/')).toMatch(/\/sh$/);
    expect(await findExecutable('definitely-not-a-binary-7f3a', '/usr/bin:/bin', '/')).toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'aether-find-'));
    try {
      writeFileSync(join(dir, 'plain'), 'x', { mode: 0o644 });
      expect(await findExecutable('plain', dir, '/')).toBeNull(); // not executable
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await findExecutable('bin', '/usr', '/')).toBeNull(); // a directory
    expect(await findExecutable('./sh', '', '/bin')).toBe('/bin/sh');
  });
});
