/**
 * A stream connection that drops mid-run: the client and `aether exec` connect again after the
 * last chunk they saw, and the output arrives whole, once, in order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionStreamChunk, ExecutionStreamMessage } from '@aetherium/sdk';
import { AetherClient } from '@aetherium/sdk';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTestNode } from '../support/embedded-node.js';
import { rememberGatewayKey } from '../support/gateway-keys.js';
import { runCli } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { expectWellFormed, type Relay, startRelay, streamBytes } from '../support/stream-reader.js';

const canRun = await sandboxesAvailable('execution stream reconnection');
const node = useTestNode(canRun);
const VM = 'reconnect-vm';
const LINES = 40;
const script = `for i in $(seq 1 ${LINES}); do echo line $i; sleep 0.1; done; echo done >&2; exit 5`;
const expected = Array.from({ length: LINES }, (_, i) => `line ${i + 1}\n`).join('');

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe.skipIf(!canRun)('a stream connection that drops mid-run', () => {
  let relay: Relay | null = null;
  beforeAll(async () => {
    await node().client.createVm({ name: VM }, { wait: true });
  });
  afterEach(async () => {
    await relay?.close();
    relay = null;
  });

  it('is followed again after the last chunk seen: every chunk once, in order', async () => {
    relay = await startRelay(new URL(node().url));
    const key = node().node.localAdminKey;
    const client = new AetherClient({ baseUrl: relay.url, ...(key ? { token: key } : {}) });
    const { execution_id } = await client.execute(VM, { command: 'sh', args: ['-c', script] });
    const reconnects: number[] = [];
    const chunks: ExecutionStreamChunk[] = [];
    let end: ExecutionStreamMessage | null = null;
    const stream = client.followExecution(execution_id, {
      onReconnect: (_attempt, afterSeq) => reconnects.push(afterSeq),
    });
    for await (const message of stream) {
      if (message.type !== 'chunk') {
        end = message;
        break;
      }
      chunks.push(message);
      // Cut early in the first connection, and again a few chunks into the second one.
      const cut = chunks.length === 3 || (reconnects.length === 1 && message.seq === reconnects[0]! + 3);
      if (cut) relay.dropStreams();
    }
    expect(reconnects.length).toBeGreaterThanOrEqual(2);
    // Chunks already received when the connection was cut are kept: it resumes after them.
    expect(reconnects[0]).toBeGreaterThanOrEqual(3);
    expect(end).toMatchObject({ type: 'exit', exit_code: 5 });
    expectWellFormed(chunks);
    expect(streamBytes(chunks, 'stdout').toString()).toBe(expected);
    expect(streamBytes(chunks, 'stderr').toString()).toBe('done\n');
    expect((await node().client.getExecution(execution_id)).stdout).toBe(expected);
  });

  it('does not stop `aether exec`: its output is whole and its exit code kept', async () => {
    relay = await startRelay(new URL(node().url));
    const key = node().node.localAdminKey;
    if (key) rememberGatewayKey(relay.url, key);
    let finished: Awaited<ReturnType<typeof runCli>> | null = null;
    const running = runCli(relay.url, ['exec', VM, '--', 'sh', '-c', script]).then((result) => {
      finished = result;
      return result;
    });
    const active = relay;
    const openedOrEnded = (count: number) => () => active.streamConnections() >= count || finished !== null;
    // Cut the stream twice once it is flowing; the CLI process starts slowly on a busy machine.
    await waitFor('the CLI to open its stream', openedOrEnded(1));
    expect(finished).toBeNull();
    await sleep(400);
    active.dropStreams();
    await waitFor('the CLI to reconnect', openedOrEnded(2));
    expect(finished).toBeNull();
    await sleep(400);
    active.dropStreams();
    const result = await running;
    expect(active.streamConnections()).toBeGreaterThanOrEqual(3);
    expect(result).toMatchObject({ code: 5, stdout: expected, stderr: 'done\n' });
  }, 120_000);
});
