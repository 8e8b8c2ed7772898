/**
 * `aether shell` in a real terminal (tmux), on the process, docker and qemu drivers: a prompt,
 * the remote terminal's size following the local window, Ctrl-C reaching the remote job, the
 * command's exit status as the CLI's, the local terminal as it was afterwards, and a session that
 * survives its CLI being killed and is re-attached with its screen replayed.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_TEST_IMAGE, dockerAvailable, IMAGE_DATA_DIR, qemuAvailable } from '../support/backends.js';
import { type TestNode, useTestNode } from '../support/embedded-node.js';
import { gatewayKey } from '../support/gateway-keys.js';
import { runCli } from '../support/run-cli.js';
import { TmuxTerminal, tmuxAvailable } from '../support/tmux.js';

const haveTmux = tmuxAvailable();
if (!haveTmux) console.warn('skipping the terminal tests: tmux is not installed');

interface DriverCase {
  driver: 'process' | 'docker' | 'qemu';
  ready: boolean;
  env: Record<string, string>;
  bootTimeoutMs: number;
  /** How long the guest may take to answer a typed line (a guest under TCG is slow). */
  answerMs: number;
}

const cases: DriverCase[] = [
  { driver: 'process', ready: true, env: {}, bootTimeoutMs: 60_000, answerMs: 15_000 },
  {
    driver: 'docker',
    ready: await dockerAvailable(),
    env: { AETHER_DRIVER: 'docker', AETHER_DRIVERS: 'docker', AETHER_DOCKER_IMAGE: DOCKER_TEST_IMAGE },
    bootTimeoutMs: 60_000,
    answerMs: 15_000,
  },
  {
    driver: 'qemu',
    ready: await qemuAvailable(),
    env: {
      AETHER_DRIVER: 'qemu',
      AETHER_DRIVERS: 'qemu',
      AETHER_IMAGE_DIR: IMAGE_DATA_DIR,
      AETHER_CREATE_TIMEOUT_MS: '120000',
    },
    bootTimeoutMs: 150_000,
    answerMs: 40_000,
  },
];

for (const { driver, ready, env, bootTimeoutMs, answerMs } of cases) {
  describe.skipIf(!ready || !haveTmux)(`aether shell on the ${driver} driver, in tmux`, () => {
    const node: () => TestNode = useTestNode(ready && haveTmux, env);
    const vm = `term-${driver}`;
    let term: TmuxTerminal;

    beforeAll(async () => {
      const created = await runCli(node().url, ['vm', 'create', vm]);
      expect(created.code, created.stderr).toBe(0);
      term = TmuxTerminal.start({ AETHER_URL: node().url, AETHER_TOKEN: gatewayKey(node().url) ?? '' });
      term.send('PS1="local\\$ "; stty -g > "$HOME/.aether-tty-before-$$"; echo local-ready');
      await term.waitFor(/^local-ready$/m);
    }, bootTimeoutMs);
    afterAll(() => term?.close());

    it(
      'shows a prompt, follows resizes, passes Ctrl-C, and exits with the command status',
      async () => {
        term.send(`aether shell ${vm}`);
        // Computed in the VM: the answer proves a remote shell read the line, not just an echo.
        term.send('echo ready-$((6*7))');
        await term.waitFor(/^ready-42/m, answerMs);

        term.send('stty size');
        await term.waitFor(/^30 100\s*$/m, answerMs);
        term.resize(120, 40);
        // The resize reaches the guest a moment after the local window changed (a slow guest takes
        // longer): asked again until the new size shows, within the same bound.
        const resizedBy = Date.now() + answerMs;
        for (;;) {
          term.send('echo cols-$(tput cols); stty size');
          const shown = await term.waitFor(/^cols-120\s*\n40 120\s*$/m, 3000).catch(() => null);
          if (shown) break;
          if (Date.now() > resizedBy) throw new Error(`the VM never saw 120x40:\n${term.screen()}`);
        }

        term.send('sleep 100; echo not-interrupted');
        // Time for the shell to hand the terminal to `sleep` (slow on qemu under emulation, on a
        // loaded machine): a Ctrl-C before that goes to the shell, which ignores it.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        term.keys('C-c');
        term.send('echo after-$((1+1))');
        await term.waitFor(/^after-2/m, answerMs);
        expect(term.screen()).not.toMatch(/^not-interrupted/m);

        term.send('exit 3');
        // Typed only once the CLI is gone: until then, keys go to the VM.
        await term.waitFor(/logout\s*\nlocal\$ /, answerMs);
        term.send('echo "cli-exit=$?"');
        await term.waitFor(/^cli-exit=3/m, answerMs);
        // The local terminal is as it was: same settings, and typed text echoes again.
        term.send('stty -g | cmp -s - "$HOME/.aether-tty-before-$$" && echo tty-same || echo tty-changed');
        await term.waitFor(/^tty-(same|changed)/m);
        expect(term.screen()).toMatch(/^tty-same/m);
      },
      answerMs * 8,
    );

    it(
      'keeps the session when the CLI is killed, and re-attaches to it with its screen',
      async () => {
        term.clear();
        term.send(`aether shell ${vm}`);
        term.send('echo mark-$((3*3)); cd /tmp');
        await term.waitFor(/^mark-9/m, answerMs);
        const killed = spawnSync('pkill', ['-KILL', '-f', `cli-entry.ts shell ${vm}`]);
        expect(killed.status).toBe(0);
        // A killed CLI cannot restore the terminal: a user types `stty sane`, as after any such crash.
        term.send('stty sane; echo killed-$((5+5))');
        await term.waitFor(/^killed-10/m);

        const listed = await runCli(node().url, ['terminal', 'ls', vm, '--json']);
        expect(listed.code, listed.stderr).toBe(0);
        const running = (JSON.parse(listed.stdout) as { status: string; clients: number }[]).filter(
          (t) => t.status === 'running',
        );
        expect(running).toHaveLength(1);

        term.clear();
        term.send(`aether attach ${vm}`);
        // The replay brings back what the screen showed before the kill.
        await term.waitFor(/mark-9/, answerMs);
        term.send('echo alive-$((4*4)) in $(pwd)');
        await term.waitFor(/^alive-16 in \/tmp/m, answerMs);
        term.send('exit');
        await term.waitFor(/logout\s*\nlocal\$ /, answerMs);
        term.send('echo "cli-exit=$?"');
        await term.waitFor(/^cli-exit=0/m, answerMs);
      },
      answerMs * 8,
    );
  });
}
