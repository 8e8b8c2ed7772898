import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAetherError } from '../../core/errors.js';
import { QmpClient } from './qmp.js';

/** A stand-in QMP server speaking the documented protocol: greeting, negotiation, commands, events. */
function fakeQmp(path: string, onCommand: (command: string, socket: Socket) => unknown): Promise<Server> {
  const server = createServer((socket) => {
    socket.write(`${JSON.stringify({ QMP: { version: {}, capabilities: [] } })}\r\n`);
    let buffered = '';
    socket.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const request = JSON.parse(buffered.slice(0, nl)) as { execute: string; id: string };
        buffered = buffered.slice(nl + 1);
        const answer = onCommand(request.execute, socket);
        if (answer !== undefined)
          socket.write(`${JSON.stringify({ ...(answer as object), id: request.id })}\r\n`);
      }
    });
  });
  return new Promise((resolve) => server.listen(path, () => resolve(server)));
}

describe('QMP client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aether-qmp-'));
  let server: Server | null = null;
  afterEach(() => {
    server?.close();
    server = null;
    rmSync(join(dir, 'q.sock'), { force: true });
  });

  it('negotiates, runs commands, keeps events, and surfaces QEMU errors with their class', async () => {
    server = await fakeQmp(join(dir, 'q.sock'), (command, socket) => {
      if (command === 'qmp_capabilities') return { return: {} };
      if (command === 'query-status') {
        socket.write(
          `${JSON.stringify({ event: 'RESUME', data: {}, timestamp: { seconds: 1, microseconds: 0 } })}\r\n`,
        );
        return { return: { running: true, status: 'running' } };
      }
      return { error: { class: 'CommandNotFound', desc: `The command ${command} has not been found` } };
    });
    const qmp = await QmpClient.open(join(dir, 'q.sock'), 2000);
    expect(await qmp.execute('query-status')).toEqual({ running: true, status: 'running' });
    expect(qmp.receivedEvents().map((e) => e.event)).toEqual(['RESUME']);
    const error = await qmp.execute('no-such').catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_DRIVER_FAILED')).toBe(true);
    expect((error as Error).message).toContain('CommandNotFound');
    qmp.close();
  });

  it('times out a command QEMU never answers, and fails pending commands when the socket closes', async () => {
    server = await fakeQmp(join(dir, 'q.sock'), (command, socket) => {
      if (command === 'qmp_capabilities') return { return: {} };
      if (command === 'quit') socket.destroy();
      return undefined;
    });
    const qmp = await QmpClient.open(join(dir, 'q.sock'), 2000);
    await expect(qmp.execute('stop', undefined, 100)).rejects.toThrow(/no answer after 100 ms/);
    await expect(qmp.execute('quit')).rejects.toThrow(/closed/);
  });

  it('names the socket when nothing listens', async () => {
    await expect(QmpClient.open(join(dir, 'nothing.sock'), 500)).rejects.toThrow(/nothing\.sock/);
  });
});
