import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AetherApiError, chunkBytes } from '@aetherium/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type {
  EventBus,
  EventMap,
  EventName,
  ExecutionEventName,
  Unsubscribe,
} from '../../src/core/events.js';
import { newId } from '../../src/core/ids.js';
import { useTestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import {
  expectWellFormed,
  readSse,
  readWebSocket,
  recordText,
  streamBytes,
} from '../support/stream-reader.js';

const canRun = await sandboxesAvailable('execution stream');
const node = useTestNode(canRun);
const VM = 'stream-vm';

const auth = (): Record<string, string> => {
  const key = node().node.localAdminKey;
  return key ? { authorization: `Bearer ${key}` } : {};
};
const streamUrl = (id: string, query = '') => `${node().url}/api/v1/executions/${id}/stream${query}`;

async function start(script: string): Promise<string> {
  const res = await node().client.execute(VM, { command: 'sh', args: ['-c', script] });
  return res.execution_id;
}

/** Counts the bus subscriptions (to every event, and to one execution's) made while it is installed that are still active. */
function countSubscriptions(bus: EventBus): { active(): number; restore(): void } {
  const original = { subscribe: bus.subscribe, subscribeExecution: bus.subscribeExecution };
  const subscribe: EventBus['subscribe'] = original.subscribe.bind(bus);
  const subscribeExecution: EventBus['subscribeExecution'] = original.subscribeExecution.bind(bus);
  let active = 0;
  const counted = (unsubscribe: Unsubscribe): Unsubscribe => {
    active++;
    let done = false;
    return () => {
      if (!done) active--;
      done = true;
      unsubscribe();
    };
  };
  bus.subscribe = <E extends EventName>(event: E, handler: (payload: EventMap[E]) => void) =>
    counted(subscribe(event, handler));
  bus.subscribeExecution = <E extends ExecutionEventName>(
    event: E,
    executionId: string,
    handler: (payload: EventMap[E]) => void,
  ) => counted(subscribeExecution(event, executionId, handler));
  return {
    active: () => active,
    restore: () => {
      Object.assign(bus, original);
    },
  };
}

async function eventually(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe.skipIf(!canRun)('execution output over WebSocket and SSE', () => {
  beforeAll(async () => {
    await node().client.createVm({ name: VM }, { wait: true });
  });

  it('streams output byte-identical to the stored execution: binary, interleaved, many chunks', async () => {
    const id = await start(
      [
        // Pairs on both streams, far enough apart for the host to read them in turn.
        'for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.2; done',
        String.raw`printf '\000\001\377\376 bin\n'`,
        'head -c 300000 /dev/urandom > /tmp/r',
        'cat /tmp/r',
        'sha256sum /tmp/r >&2',
        String.raw`printf '\303\251t\303\251\n'`,
      ].join('; '),
    );
    const { chunks, end } = await readWebSocket(node().client, id);
    expect(end).toMatchObject({ type: 'exit', exit_code: 0, timed_out: false });
    expectWellFormed(chunks);
    expect(chunks.length).toBeGreaterThan(4);

    const stdout = streamBytes(chunks, 'stdout');
    const stderr = streamBytes(chunks, 'stderr');
    const prefix = Buffer.from([
      ...Buffer.from('out1\nout2\nout3\n'),
      0,
      1,
      0xff,
      0xfe,
      ...Buffer.from(' bin\n'),
    ]);
    expect(stdout.subarray(0, prefix.length)).toEqual(prefix);
    const random = stdout.subarray(prefix.length, prefix.length + 300_000);
    const printedHash = /^([0-9a-f]{64}) /m.exec(stderr.toString('utf8'))?.[1];
    expect(createHash('sha256').update(random).digest('hex')).toBe(printedHash);
    expect(stdout.subarray(prefix.length + 300_000).toString('utf8')).toBe('été\n');
    expect(stderr.toString('utf8')).toMatch(/^err1\nerr2\nerr3\n[0-9a-f]{64} {2}\/tmp\/r\n$/);

    // The stored record is the text of exactly these bytes.
    const stored = await node().client.getExecution(id);
    expect(recordText(stdout)).toBe(stored.stdout);
    expect(recordText(stderr)).toBe(stored.stderr);
    if (end?.type === 'exit') expect(end.execution.stdout).toBe(stored.stdout);

    // Interleaving across the two streams follows seq: each pair comes before the next one.
    // (Lines of one stream may share a chunk when the host reads late, hence the `<=`.)
    const seqOf = (text: string) => chunks.find((c) => chunkBytes(c).includes(text))!.seq;
    for (const i of [1, 2]) {
      expect(seqOf(`out${i}`)).toBeLessThanOrEqual(seqOf(`out${i + 1}`));
      expect(seqOf(`err${i}`)).toBeLessThan(seqOf(`out${i + 1}`));
      expect(seqOf(`out${i}`)).toBeLessThan(seqOf(`err${i + 1}`));
    }

    // Opened after the end, a stream replays it all from the store, chunk for chunk.
    const replay = await readWebSocket(node().client, id);
    expect(replay.chunks).toEqual(chunks);
    expect(replay.end).toEqual(end);
  });

  it('resumes after a seq with exactly the rest, mid-run and after the end', async () => {
    const id = await start('for i in $(seq 1 40); do echo line $i; sleep 0.02; done');
    const head = await readWebSocket(node().client, id, { limit: 5 });
    expect(head.chunks).toHaveLength(5);
    const afterSeq = head.chunks.at(-1)!.seq;
    const rest = await readWebSocket(node().client, id, { afterSeq });
    expect(rest.end).toMatchObject({ type: 'exit', exit_code: 0 });
    expect(rest.chunks[0]?.seq).toBe(afterSeq + 1);
    const all = [...head.chunks, ...rest.chunks];
    expectWellFormed(all);
    const expected = Array.from({ length: 40 }, (_, i) => `line ${i + 1}\n`).join('');
    expect(streamBytes(all, 'stdout').toString()).toBe(expected);
    expect((await node().client.getExecution(id)).stdout).toBe(expected);

    const whole = await readWebSocket(node().client, id);
    for (const k of [0, 1, 7, whole.chunks.length - 1, whole.chunks.length]) {
      const tail = await readWebSocket(node().client, id, { afterSeq: k });
      expect(tail.chunks).toEqual(whole.chunks.slice(k));
      expect(tail.end).toEqual(whole.end);
    }
  });

  it('serves Server-Sent Events, resuming with Last-Event-ID', async () => {
    const id = await start('echo one; echo two >&2; sleep 0.1; echo three; exit 3');
    const res = await fetch(streamUrl(id), { headers: { accept: 'text/event-stream', ...auth() } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readSse(res);
    const chunks = events.filter((e) => e.event === 'chunk');
    expect(chunks.map((e) => e.id)).toEqual(chunks.map((_, i) => String(i + 1)));
    const parsed = chunks.map((e) => JSON.parse(e.data));
    expectWellFormed(parsed);
    expect(streamBytes(parsed, 'stdout').toString()).toBe('one\nthree\n');
    expect(streamBytes(parsed, 'stderr').toString()).toBe('two\n');
    const last = events.at(-1)!;
    expect(last.event).toBe('exit');
    expect(JSON.parse(last.data)).toMatchObject({ type: 'exit', exit_code: 3 });

    const resumed = await fetch(streamUrl(id), {
      headers: { accept: 'text/event-stream', 'last-event-id': '1', ...auth() },
    });
    const rest = (await readSse(resumed)).filter((e) => e.event === 'chunk');
    expect(rest.map((e) => JSON.parse(e.data))).toEqual(parsed.slice(1));
  });

  it('answers an unknown execution with 404 and its code, before any upgrade', async () => {
    const unknown = newId();
    const error = await readWebSocket(node().client, unknown).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AetherApiError);
    expect(error).toMatchObject({ status: 404, code: 'ERR_EXECUTION_NOT_FOUND' });

    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(streamUrl(unknown).replace(/^http/, 'ws'), { headers: auth() });
      socket.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        socket.terminate();
      });
      socket.on('open', () => reject(new Error('upgraded for an unknown execution')));
      socket.on('error', () => {});
    });
    expect(status).toBe(404);

    const sse = await fetch(streamUrl(unknown), { headers: { accept: 'text/event-stream', ...auth() } });
    expect(sse.status).toBe(404);
    expect(await sse.json()).toMatchObject({ error: { code: 'ERR_EXECUTION_NOT_FOUND' } });
    const badSeq = await fetch(streamUrl(unknown, '?after_seq=-1'), { headers: auth() });
    expect(badSeq.status).toBe(400);
    const badHeader = await fetch(streamUrl(unknown), { headers: { 'last-event-id': 'x', ...auth() } });
    expect(badHeader.status).toBe(400);
  });

  it('leaves no subscription behind when a client disconnects mid-stream', async () => {
    const bus = node().node.backends.events;
    const subscriptions = countSubscriptions(bus);
    try {
      const id = await start('for i in $(seq 1 100); do echo tick $i; sleep 0.05; done');
      const socket = new WebSocket(streamUrl(id).replace(/^http/, 'ws'), { headers: auth() });
      await new Promise<void>((resolve, reject) => {
        socket.once('message', () => resolve());
        socket.once('error', reject);
      });
      expect(subscriptions.active()).toBeGreaterThan(0);
      socket.terminate();
      await eventually('the WebSocket stream to unsubscribe', () => subscriptions.active() === 0);

      const abort = new AbortController();
      const res = await fetch(streamUrl(id), {
        headers: { accept: 'text/event-stream', ...auth() },
        signal: abort.signal,
      });
      await readSse(res, (event) => event.event === 'chunk');
      expect(subscriptions.active()).toBeGreaterThan(0);
      abort.abort();
      await eventually('the SSE stream to unsubscribe', () => subscriptions.active() === 0);
    } finally {
      subscriptions.restore();
    }
  });

  it('replays an execution recorded before chunks were kept from its stored output', async () => {
    const { store } = node().node.backends;
    const vm = await node().client.getVm(VM);
    const id = newId();
    await store.insertExecution({
      id,
      project: 'default',
      vmId: vm.id,
      taskId: null,
      jobId: null,
      command: 'echo',
      args: [],
      env: {},
      cwd: null,
    });
    const startedAt = new Date();
    await store.completeExecution(id, {
      exitCode: 0,
      stdout: 'from before ✓\n',
      stderr: 'warned\n',
      stdoutTruncated: false,
      stderrTruncated: false,
      timedOut: false,
      signal: null,
      error: null,
      startedAt,
      completedAt: startedAt,
      durationMs: 0,
    });
    const { chunks, end } = await readWebSocket(node().client, id);
    expectWellFormed(chunks);
    expect(streamBytes(chunks, 'stdout').toString()).toBe('from before ✓\n');
    expect(streamBytes(chunks, 'stderr').toString()).toBe('warned\n');
    expect(end).toMatchObject({ type: 'exit', exit_code: 0 });
    expect((await readWebSocket(node().client, id, { afterSeq: 1 })).chunks).toEqual(chunks.slice(1));
  });

  it('ends with an error of scope execution when the command cannot start', async () => {
    const res = await node().client.execute(VM, { command: 'no-such-command' });
    const { chunks, end } = await readWebSocket(node().client, res.execution_id);
    expect(chunks).toEqual([]);
    expect(end).toMatchObject({ type: 'error', scope: 'execution', code: 'ERR_EXEC_SPAWN_FAILED' });
  });

  // Last: it closes this file's gateway.
  it('ends open streams with a stream error when the gateway shuts down, without holding it up', async () => {
    const id = await start('for i in $(seq 1 200); do echo $i; sleep 0.05; done');
    const sse = await fetch(streamUrl(id), { headers: { accept: 'text/event-stream', ...auth() } });
    const sseEvents = readSse(sse);
    const socket = new WebSocket(streamUrl(id).replace(/^http/, 'ws'), { headers: auth() });
    const frames: string[] = [];
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        frames.push(String(data));
        resolve();
      });
    });
    const started = performance.now();
    await node().node.app!.close();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await closed).toBe(4503);
    const shuttingDown = { type: 'error', scope: 'stream', code: 'ERR_SHUTTING_DOWN', retryable: true };
    expect(JSON.parse(frames.at(-1)!)).toMatchObject(shuttingDown);
    const last = (await sseEvents).at(-1)!;
    expect(last.event).toBe('error');
    expect(JSON.parse(last.data)).toMatchObject(shuttingDown);
  });
});
