/**
 * The conformance cases of port tunnels (`VmDriver.ports`): TCP connections to a server inside a
 * VM that has no network at all, carried by the guest agent.
 */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { isAetherError } from '../../../core/errors.js';
import type { DriverSuiteContext } from './suite-driver.js';

/**
 * A tiny TCP server for the guest's Node (every guest image has one): echoes what it gets, and
 * once the client half-closed, says how many bytes that was and closes its own side.
 */
const ECHO_SERVER = `
const server = require('net').createServer({ allowHalfOpen: true }, (socket) => {
  let bytes = 0;
  socket.on('data', (chunk) => { bytes += chunk.length; socket.write(chunk); });
  socket.on('end', () => socket.end('<' + bytes + ' bytes>'));
});
server.listen(0, '127.0.0.1', () => console.log('listening on ' + server.address().port));
`;

/** Registers the port cases in the current describe block, on the context's driver. */
export function defineDriverPortCases(ctx: DriverSuiteContext): void {
  const { vms } = ctx;

  it('tunnels to a server inside the VM without a network: bytes both ways, then half-closes', async () => {
    const driver = ctx.driver();
    expect(driver.ports, 'every agent-backed driver connects to guest ports').toBeDefined();
    const ports = driver.ports!;
    const id = await vms.running('ports');
    const stopServer = new AbortController();
    let printed = '';
    let listening: (port: number) => void = () => {};
    const port = new Promise<number>((resolve) => {
      listening = resolve;
    });
    const server = driver
      .exec(
        id,
        { argv: ['node', '-e', ECHO_SERVER], timeoutMs: 300_000 },
        {
          onStdout: (chunk) => {
            printed += Buffer.from(chunk).toString();
            const match = /listening on (\d+)/.exec(printed);
            if (match) listening(Number(match[1]));
          },
        },
        stopServer.signal,
      )
      .catch(() => {});
    try {
      const portNumber = await port;
      const payload = randomBytes(1024 * 1024);
      const tunnel = await ports.connect(id, portNumber);
      const reading = tunnel.toArray();
      tunnel.end(payload); // our half-close: the server answers after it
      const received = Buffer.concat(await reading);
      expect(received.subarray(0, payload.length).equals(payload)).toBe(true);
      expect(received.subarray(payload.length).toString()).toBe(`<${payload.length} bytes>`);

      // Several at once, and a port nothing listens on.
      const words = ['one', 'two', 'three', 'four', 'five'];
      const echoes = await Promise.all(
        words.map(async (word) => {
          const each = await ports.connect(id, portNumber);
          const back = each.toArray();
          each.end(word);
          return Buffer.concat(await back).toString();
        }),
      );
      expect(echoes).toEqual(words.map((word) => `${word}<${word.length} bytes>`));
      const refused = await ports.connect(id, 1).catch((e: unknown) => e);
      expect(isAetherError(refused, 'ERR_PORT_UNREACHABLE'), String(refused)).toBe(true);
    } finally {
      stopServer.abort(new Error('test over'));
      await server;
    }
  });

  it('answers ERR_VM_NOT_FOUND for a tunnel into a VM it does not know', async () => {
    const error = await ctx
      .driver()
      .ports!.connect('00000000-0000-4000-8000-000000000000', 80)
      .catch((e: unknown) => e);
    expect(isAetherError(error, 'ERR_VM_NOT_FOUND'), String(error)).toBe(true);
  });
}
