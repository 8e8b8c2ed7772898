/**
 * `sandbox.pty` and `sandbox.ports` on a real embedded node: a terminal's size as its program
 * sees it, resized, its exit code, a session left and taken up again with its output replayed;
 * a web server in the sandbox reached through a preview URL and through a raw connection.
 */
import type { Duplex } from 'node:stream';
import type { PtyHandle } from '@aetherium/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { canRunSandboxes, eventually, useSandbox, useSdkNode } from './support/sdk-node.js';

const canRun = await canRunSandboxes('SDK terminals and ports');
const sdk = useSdkNode(canRun);

/** A terminal's output as text, as it arrives. */
function screen(): { onData(data: Uint8Array): void; text(): string } {
  const decoder = new TextDecoder();
  let text = '';
  return {
    onData: (data) => {
      text += decoder.decode(data, { stream: true });
    },
    text: () => text,
  };
}

/**
 * Types `line` and waits until the output shows `expected` (after what was there before). The
 * line is typed again every 5 s while it does not show, up to 25 s: on a loaded machine a shell
 * still starting up has been seen to drop what was typed before its prompt (the commands typed
 * here are idempotent).
 */
async function typeAndSee(
  term: PtyHandle,
  seen: ReturnType<typeof screen>,
  line: string,
  expected: RegExp,
): Promise<void> {
  const from = seen.text().length;
  const shown = () => (expected.test(seen.text().slice(from)) ? true : undefined);
  for (let attempt = 1; ; attempt++) {
    await term.sendInput(line);
    try {
      await eventually(`${JSON.stringify(line)} to print ${expected}`, shown, 5_000);
      return;
    } catch (error) {
      if (attempt === 5) {
        throw new Error(`${(error as Error).message}; the terminal showed ${JSON.stringify(seen.text())}`);
      }
    }
  }
}

describe.skipIf(!canRun)('sandbox.pty (embedded node)', () => {
  const sandbox = useSandbox(sdk, canRun);

  it('gives its program the size asked for, and the new size after a resize; exit ends it', async () => {
    const seen = screen();
    const term = await sandbox().pty.create({ cols: 100, rows: 30, onData: seen.onData });
    expect(term.id).toMatch(/\S/);
    // Typed input is echoed, so only the command's own answer matches (its digits alone on a line).
    await typeAndSee(term, seen, 'stty size\n', /[\r\n]30 100\r?\n/);
    await term.resize({ cols: 120, rows: 40 });
    await typeAndSee(term, seen, 'stty size\n', /[\r\n]40 120\r?\n/);
    await term.sendInput('exit 3\n');
    expect(await term.wait()).toMatchObject({ code: 3, signal: null });
  });

  it('outlives a disconnect: connect(id) replays its output and it goes on', async () => {
    const first = screen();
    const term = await sandbox().pty.create({ onData: first.onData });
    await typeAndSee(term, first, 'echo mark-$((6 * 7))\n', /mark-42/);
    term.disconnect();
    expect(await term.wait()).toMatchObject({ code: null, error: 'disconnected' });
    const listed = await sandbox().pty.list();
    expect(listed.find((t) => t.id === term.id)).toMatchObject({ status: 'running' });

    const again = screen();
    const resumed = await sandbox().pty.connect(term.id, { onData: again.onData });
    expect(resumed.id).toBe(term.id);
    await eventually('the replay of earlier output', () => (/mark-42/.test(again.text()) ? true : undefined));
    await typeAndSee(resumed, again, 'echo still-$((2 + 3))\n', /still-5/);
    await resumed.sendInput('exit 0\n');
    expect(await resumed.wait()).toMatchObject({ code: 0 });
  });

  it('kill() hangs the session up', async () => {
    const term = await sandbox().pty.create({ command: ['sleep', '600'] });
    await term.kill();
    const exit = await term.wait();
    expect(exit.code).toBeNull();
    expect(exit.signal ?? exit.error).toBeTruthy();
    // Killing it again once it ended is no error.
    await term.kill();
  });
});

describe.skipIf(!canRun)('sandbox.ports (embedded node)', () => {
  const sandbox = useSandbox(sdk, canRun);
  const PORT = 8000;
  const HELLO = 'hello from the sandbox\n';

  beforeAll(async () => {
    await sandbox().files.write('site/hello.txt', HELLO);
    await sandbox().files.mkdir('site/docs');
    await sandbox().commands.run(
      ['python3', '-m', 'http.server', String(PORT), '--bind', '127.0.0.1', '--directory', 'site'],
      { background: true, timeoutMs: 0 },
    );
    // It takes a moment to bind: until then a connection is refused (502 ERR_PORT_UNREACHABLE).
    const probe = await eventually('the web server to listen', () => sandbox().ports.connect(PORT));
    probe.destroy();
  }, 30_000);

  it('serves the app through a preview URL: its listing and a file written into the sandbox', async () => {
    const url = await sandbox().ports.url(PORT, { expiresIn: '10m' });
    expect(url).toMatch(new RegExp(`^${sdk.connection().apiUrl}/preview/\\S+/$`));
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const listing = await page.text();
    expect(listing).toContain('href="hello.txt"');
    expect(listing).toContain('href="docs/"');
    const file = await fetch(new URL('hello.txt', url));
    expect(file.status).toBe(200);
    expect(await file.text()).toBe(HELLO);

    const [preview] = await sandbox().ports.list();
    expect(preview).toMatchObject({ port: PORT });
    await sandbox().ports.revoke(preview!.id);
    const revoked = await fetch(new URL('hello.txt', url));
    await revoked.arrayBuffer();
    expect(revoked.status).toBeGreaterThanOrEqual(400);
  });

  it('connects to the port as a raw TCP stream: an HTTP request by hand is answered', async () => {
    const socket: Duplex = await sandbox().ports.connect(PORT);
    // HTTP/1.0: the server closes the connection after its answer, which ends the stream.
    socket.write(`GET /hello.txt HTTP/1.0\r\nHost: 127.0.0.1:${PORT}\r\n\r\n`);
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    const answer = Buffer.concat(chunks).toString('utf8');
    expect(answer).toMatch(/^HTTP\/1\.0 200 OK\r\n/);
    expect(answer.endsWith(`\r\n\r\n${HELLO}`)).toBe(true);
  });

  it('a port nobody listens on is refused with a typed error', async () => {
    await expect(sandbox().ports.connect(PORT + 1)).rejects.toMatchObject({
      status: 502,
      code: 'ERR_PORT_UNREACHABLE',
    });
  });
});
