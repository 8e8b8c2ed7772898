/**
 * The conformance cases of terminal execs (`ExecRequest.tty`): a shell on the guest's own
 * pseudo-terminal, as a person at a terminal would use it. Every sandbox must give its guest a
 * devpts of its own for them.
 */
import { expect, it } from 'vitest';
import { openTerminal, type RunExec, sizeBecomes } from '../../terminal-session.js';
import { aliveCheck, sh, sleep } from './fixtures.js';
import type { DriverSuiteContext } from './suite-driver.js';

/** Registers the terminal cases in the current describe block, on the context's driver. */
export function defineDriverTerminalCases(ctx: DriverSuiteContext): void {
  const { vms } = ctx;

  it('runs a shell on a terminal: echo, size and resize, Ctrl-C, exit code', async () => {
    const driver = ctx.driver();
    const id = await vms.running('terminal');
    const run: RunExec = (request, output, signal) => driver.exec(id, request, output, signal);
    const term = openTerminal(run, {
      argv: ['sh'],
      env: { PS1: '' },
      tty: { cols: 91, rows: 17 },
      timeoutMs: 120_000,
    });
    term.type('echo hi $((6*7)); tty\n');
    await term.waitFor(/echo hi \$\(\(6\*7\)\); tty\r\nhi 42\r\n\/dev\/pts\/\d+\r\n/, { timeoutMs: 30_000 });
    await sizeBecomes(term, { cols: 91, rows: 17 });
    await term.resize({ cols: 132, rows: 43 });
    await sizeBecomes(term, { cols: 132, rows: 43 });
    // Ctrl-C ends the foreground job; the interactive shell lives on.
    term.type('sleep 100\n');
    await term.waitFor('sleep 100\r\n');
    await sleep(500); // the shell has started it
    const interrupted = Date.now();
    term.type('\x03');
    let from = term.output.length;
    term.type('echo back\n');
    await term.waitFor('\nback\r\n', { from, timeoutMs: 10_000 });
    expect(Date.now() - interrupted).toBeLessThan(10_000);
    from = term.output.length;
    term.type('exit 3\n');
    expect(await term.result).toMatchObject({ exitCode: 3, signal: null, timedOut: false });
    const command = await term.started;
    expect(() => command.resize?.({ cols: 10, rows: 10 })).not.toThrow(); // ended: harmless
  });

  it('kills a terminal command and everything on its terminal on timeout', async () => {
    const driver = ctx.driver();
    const id = await vms.running('terminal-timeout');
    const result = await driver.exec(id, {
      argv: ['sh', '-c', 'sleep 300 & echo $! > tty.pids; setsid sleep 301 & echo $! >> tty.pids; sleep 302'],
      tty: { cols: 80, rows: 24 },
      timeoutMs: 1500,
    });
    expect(result).toMatchObject({ exitCode: null, timedOut: true });
    await sleep(200);
    expect((await sh(driver, id, aliveCheck('tty.pids'))).stdout).toBe('');
  });
}
