import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addCommandLineCommand } from './command-line-command.js';
import { buildProgram } from './main.js';

interface Parsed {
  vm: string;
  command: string[];
  opts: Record<string, unknown>;
}

/** `aether exec ARGS` as the real program reads it, with its action replaced by a recorder. */
async function parseExec(args: string[]): Promise<Parsed> {
  const program = buildProgram().exitOverride();
  const exec = program.commands.find((c) => c.name() === 'exec')!;
  exec.exitOverride().configureOutput({ writeErr: () => {} });
  let parsed: Parsed | null = null;
  exec.action((vm: string, command: string[], opts: Record<string, unknown>) => {
    parsed = { vm, command, opts };
  });
  await program.parseAsync(['exec', ...args], { from: 'user' });
  if (!parsed) throw new Error('exec did not run');
  return parsed;
}

describe('a command whose last argument is a command line (aether exec)', () => {
  it('reads options after the VM name, up to --', async () => {
    expect(await parseExec(['dev', '--timeout', '3000', '--', 'sleep', '5'])).toMatchObject({
      vm: 'dev',
      command: ['sleep', '5'],
      opts: { timeout: '3000' },
    });
  });

  it('reads options before the VM name, and in every form commander knows', async () => {
    expect(
      await parseExec(['--timeout', '3000', 'dev', '--timeout=9', '-w', '/tmp', '-eA=1', '-it', '--', 'ls']),
    ).toMatchObject({
      vm: 'dev',
      command: ['ls'],
      opts: { timeout: '9', cwd: '/tmp', env: ['A=1'], stdin: true, tty: true },
    });
  });

  it('leaves every word after -- to the command, even ones that look like our options', async () => {
    expect(await parseExec(['dev', '--', '-t', '5', '--', '-e'])).toMatchObject({
      command: ['-t', '5', '--', '-e'],
      opts: { env: [] },
    });
    expect((await parseExec(['dev', '-i', '--', '--help'])).command).toEqual(['--help']);
  });

  it("stops at the command's first word when there is no --: the rest is the command's", async () => {
    expect(await parseExec(['dev', '-e', 'A=1', 'ls', '-t', '-e', 'x'])).toMatchObject({
      command: ['ls', '-t', '-e', 'x'],
      opts: { env: ['A=1'] },
    });
    // A `--` after the command's first word is one of its words.
    expect((await parseExec(['dev', 'ls', '--', '-t'])).command).toEqual(['ls', '--', '-t']);
  });

  it('takes the VM name from after -- when none came before it', async () => {
    expect(await parseExec(['--timeout', '5', '--', 'dev', '-t', '1'])).toMatchObject({
      vm: 'dev',
      command: ['-t', '1'],
      opts: { timeout: '5' },
    });
  });

  it('refuses unknown options and missing values before the command, as commander does', async () => {
    await expect(parseExec(['dev', '-x', '--', 'ls'])).rejects.toThrow(/unknown option '-x'/);
    await expect(parseExec(['dev', '--timeout'])).rejects.toThrow(/argument missing/);
    await expect(parseExec(['dev', '--timeout', '5', '--'])).rejects.toThrow(
      /missing required argument 'command'/,
    );
  });

  it('gives a command line with no argument before it (aether run) every word from its first', async () => {
    const parent = new Command().enablePositionalOptions();
    let seen: { argv: string[]; opts: Record<string, unknown> } | null = null;
    addCommandLineCommand(parent, 'run <command...>')
      .option('-t, --timeout <ms>')
      .action((argv: string[], opts: Record<string, unknown>) => {
        seen = { argv, opts };
      });
    await parent.parseAsync(['run', '-t', '4', 'ls', '-t', '5'], { from: 'user' });
    expect(seen).toEqual({ argv: ['ls', '-t', '5'], opts: { timeout: '4' } });
  });
});
