/**
 * `GET /events` end to end on an embedded node: a VM's life and its tasks reach its project's
 * streams (WebSocket and SSE) in order after `ready`, never another project's; admins also see
 * workers; a reader that stops reading is dropped instead of growing the gateway; and the
 * streams end when the node stops.
 */

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { AetherClient, type EventStreamMessage } from '@aetherium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EventBus, EventMap, EventName, Unsubscribe } from '../../src/core/events.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { readSse } from '../support/stream-reader.js';

const canRun = await sandboxesAvailable('the event stream');

/** One client's view of the stream, read in the background until it ends or is stopped. */
interface Watch {
  messages: EventStreamMessage[];
  /** Resolves at the `ready` message. */
  ready: Promise<void>;
  /** Resolves when the stream ends: with the error that ended it, if any. */
  ended: Promise<unknown>;
  stop(): Promise<void>;
}

function watchOverWebSocket(client: AetherClient, filter: { types?: string } = {}): Watch {
  const abort = new AbortController();
  const messages: EventStreamMessage[] = [];
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const ended = (async () => {
    try {
      for await (const message of client.followEvents(filter, { signal: abort.signal })) {
        messages.push(message);
        if (message.type === 'ready') onReady();
      }
      return null;
    } catch (error) {
      return error;
    }
  })();
  return {
    messages,
    ready: readyUnlessEnded(ready, ended),
    ended,
    async stop() {
      abort.abort();
      await ended;
    },
  };
}

function watchOverSse(url: string, token: string, query = ''): Watch {
  const abort = new AbortController();
  const messages: EventStreamMessage[] = [];
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const ended = (async () => {
    try {
      const res = await fetch(`${url}/api/v1/events${query}`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
        signal: abort.signal,
      });
      if (res.status !== 200) return new Error(`HTTP ${res.status}: ${await res.text()}`);
      await readSse(res, (event) => {
        const message = JSON.parse(event.data) as EventStreamMessage;
        expect(event.event).toBe(message.type);
        messages.push(message);
        if (message.type === 'ready') onReady();
        return false;
      });
      return null;
    } catch (error) {
      return abort.signal.aborted ? null : error;
    }
  })();
  return {
    messages,
    ready: readyUnlessEnded(ready, ended),
    ended,
    async stop() {
      abort.abort();
      await ended;
    },
  };
}

/** `ready`, or the error the stream ended with first; unobserved, it is no unhandled rejection. */
function readyUnlessEnded(ready: Promise<void>, ended: Promise<unknown>): Promise<void> {
  const settled = Promise.race([ready, ended.then((error) => Promise.reject(error))]);
  settled.catch(() => {});
  return settled;
}

async function eventually(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const vmStatuses = (watch: Watch, vmId: string) =>
  watch.messages.flatMap((m) => (m.type === 'vm' && m.vm_id === vmId ? [m.status] : []));

/** Counts the bus subscriptions to `event` made while it is installed that are still active. */
function countSubscriptions(bus: EventBus, counted: EventName): { active(): number; restore(): void } {
  const original = bus.subscribe;
  const subscribe: EventBus['subscribe'] = original.bind(bus);
  let active = 0;
  bus.subscribe = <E extends EventName>(event: E, handler: (payload: EventMap[E]) => void): Unsubscribe => {
    const unsubscribe = subscribe(event, handler);
    if (event !== counted) return unsubscribe;
    active++;
    let done = false;
    return () => {
      if (!done) active--;
      done = true;
      unsubscribe();
    };
  };
  return {
    active: () => active,
    restore: () => {
      bus.subscribe = original;
    },
  };
}

describe.skipIf(!canRun)('the live event stream', () => {
  let node: TestNode;
  let adminKey: string;
  let aliceKey: string;
  let alice: AetherClient;
  let bob: AetherClient;
  let bobVmId: string;

  beforeAll(async () => {
    node = await startTestNode();
    adminKey = node.node.localAdminKey!;
    aliceKey = (await node.client.createKey({ name: 'alice', project: 'alice' })).secret;
    const bobKey = (await node.client.createKey({ name: 'bob', project: 'bob' })).secret;
    alice = new AetherClient({ baseUrl: node.url, token: aliceKey });
    bob = new AetherClient({ baseUrl: node.url, token: bobKey });
    bobVmId = (await bob.createVm({ name: 'bobs' }, { wait: true })).vm.id;
  }, 120_000);

  let stopped = false;

  afterAll(async () => {
    if (!stopped) await node?.stop();
  });

  /**
   * Tells `watch` something it may see, published after everything else: once it arrives, every
   * earlier event has been through the stream (each stream keeps the order it heard them in).
   */
  async function marker(watch: Watch): Promise<void> {
    const reason = `marker ${randomUUID()}`;
    await node.node.backends.events.publish('vm.status', { vmId: bobVmId, status: 'running', reason });
    await eventually('the marker', () => watch.messages.some((m) => m.type === 'vm' && m.reason === reason));
  }

  it("sends a VM's life and its tasks to its project's streams, over WebSocket and SSE, and to admins", async () => {
    const aliceWs = watchOverWebSocket(alice);
    const aliceSse = watchOverSse(node.url, aliceKey);
    const bobWs = watchOverWebSocket(bob);
    const adminSse = watchOverSse(node.url, adminKey);
    const watches = [aliceWs, aliceSse, bobWs, adminSse];
    try {
      await Promise.all(watches.map((w) => w.ready));
      for (const watch of watches) expect(watch.messages[0]).toEqual({ type: 'ready' });

      const created = await alice.createVm({ name: `events-${randomUUID().slice(0, 8)}` }, { wait: true });
      const vmId = created.vm.id;
      const ran = await alice.execute(vmId, { command: 'true' }, { wait: true });
      await alice.stopVm(vmId, { wait: true });
      await alice.deleteVm(vmId, { wait: true });
      await node.node.backends.events.publish('worker.joined', { workerId: 'w-extra', epoch: 1, host: 'h' });
      await node.node.backends.events.publish('worker.left', {
        workerId: 'w-extra',
        epoch: 1,
        status: 'dead',
        reason: 'no heartbeat',
      });

      const lifecycle = ['creating', 'running', 'stopping', 'stopped', 'deleted'];
      for (const watch of [aliceWs, aliceSse, adminSse]) {
        await eventually('the deletion', () => vmStatuses(watch, vmId).includes('deleted'));
        expect(vmStatuses(watch, vmId)).toEqual(lifecycle);
        const execute = watch.messages.filter((m) => m.type === 'task' && m.task_id === ran.task_id);
        expect(execute.at(-1)).toMatchObject({
          type: 'task',
          task_type: 'vm:execute',
          status: 'completed',
          vm_id: vmId,
          error_code: null,
        });
        expect(execute.map((m) => m.type === 'task' && m.status)).toEqual(['processing', 'completed']);
        const at = watch.messages.flatMap((m) => ('at' in m ? [Date.parse(m.at)] : []));
        expect(at.every((time) => Number.isFinite(time))).toBe(true);
      }

      await marker(bobWs);
      expect(bobWs.messages.filter((m) => m.type === 'task')).toEqual([]);
      expect(bobWs.messages.filter((m) => m.type === 'vm' && m.vm_id !== bobVmId)).toEqual([]);

      await marker(adminSse);
      expect(adminSse.messages.filter((m) => m.type === 'worker')).toMatchObject([
        { type: 'worker', worker_id: 'w-extra', event: 'joined' },
        { type: 'worker', worker_id: 'w-extra', event: 'left', status: 'dead', reason: 'no heartbeat' },
      ]);
      expect(aliceWs.messages.filter((m) => m.type === 'worker')).toEqual([]);
    } finally {
      await Promise.all(watches.map((w) => w.stop()));
    }
  }, 120_000);

  it('narrows to the types asked for, and refuses unknown ones and worker events for non-admins before any upgrade', async () => {
    const vmsOnly = watchOverWebSocket(node.client, { types: 'vm' });
    try {
      await vmsOnly.ready;
      await node.node.backends.events.publish('worker.joined', { workerId: 'w-narrow', epoch: 1, host: 'h' });
      await marker(vmsOnly);
      expect(vmsOnly.messages.filter((m) => m.type === 'worker')).toEqual([]);
    } finally {
      await vmsOnly.stop();
    }

    for (const types of ['bogus', 'vm,bogus', ',']) {
      const res = await fetch(`${node.url}/api/v1/events?types=${types}`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${aliceKey}` },
      });
      expect(res.status, types).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'ERR_VALIDATION' } });
    }
    const refused = await watchOverWebSocket(alice, { types: 'vm,nope' }).ended;
    expect(refused).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    const forbidden = await watchOverWebSocket(alice, { types: 'worker' }).ended;
    expect(forbidden).toMatchObject({ status: 403, code: 'ERR_FORBIDDEN' });
    const unauthenticated = await fetch(`${node.url}/api/v1/events`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(unauthenticated.status).toBe(401);
  });

  /** Publishes worker events with a long id (4 KiB messages), a turn of the event loop between batches. */
  async function flood(count: number): Promise<void> {
    const workerId = `w-${'x'.repeat(4096)}`;
    for (let sent = 0; sent < count; ) {
      for (let i = 0; i < 200; i++, sent++) {
        await node.node.backends.events.publish('worker.joined', { workerId, epoch: sent, host: 'h' });
      }
      await nextTurn();
    }
  }

  it('drops a WebSocket reader that falls behind, with close code 4429 once it reads again', async () => {
    const socket = new WebSocket(`${node.url.replace(/^http/, 'ws')}/api/v1/events?types=worker`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    const received: EventStreamMessage[] = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data)) as EventStreamMessage));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await eventually('ready', () => received.length > 0);
    socket.pause();
    const rssBefore = process.memoryUsage().rss;
    const published = 10_000;
    await flood(published);
    const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    socket.resume();
    expect(await closed).toBe(4429);
    expect(received.at(-1)).toMatchObject({ type: 'error', code: 'ERR_RATE_LIMITED' });
    // The gateway held back a bounded backlog, not the 40 MiB it was given to send.
    expect(received.length).toBeLessThan(published / 2);
    expect(rssGrowthMiB).toBeLessThan(32);
  }, 30_000);

  it('lets go of an SSE reader that never reads again', async () => {
    const bus = node.node.backends.events;
    const subscriptions = countSubscriptions(bus, 'worker.joined');
    const request = http.get(`${node.url}/api/v1/events?types=worker`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${adminKey}` },
    });
    try {
      const response = await new Promise<http.IncomingMessage>((resolve) =>
        request.once('response', resolve),
      );
      expect(response.statusCode).toBe(200);
      await new Promise((resolve) => response.once('data', resolve));
      response.pause();
      expect(subscriptions.active()).toBe(1);
      await flood(10_000);
      // Dropped: the feed unsubscribed although the client never said a word.
      await eventually('the stream to let go', () => subscriptions.active() === 0, 10_000);
    } finally {
      request.destroy();
      subscriptions.restore();
    }
  }, 30_000);

  // Last: it stops the node.
  it('ends every stream with ERR_SHUTTING_DOWN when the node stops, which it does at once', async () => {
    const ws = watchOverWebSocket(node.client);
    const sse = watchOverSse(node.url, adminKey);
    try {
      await Promise.all([ws.ready, sse.ready]);
      const started = Date.now();
      const stopping = node.stop();
      stopped = true;
      await stopping;
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await ws.ended).toMatchObject({ code: 'ERR_SHUTTING_DOWN' });
      expect(await sse.ended).toBeNull();
      expect(sse.messages.at(-1)).toMatchObject({ type: 'error', code: 'ERR_SHUTTING_DOWN' });
    } finally {
      await Promise.all([ws.stop(), sse.stop()]);
    }
  }, 60_000);
});
