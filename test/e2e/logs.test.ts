/**
 * The logs API end to end on an embedded node, once per backend: the store's bounded table
 * (`logging.provider: local`) and Loki (a local fake speaking its push and query_range API).
 * Command output and task lines are shipped, queried with filters, followed over a WebSocket,
 * and seen only by their own project.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AetherClient } from '@aetherium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../src/api/types.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { type FakeLoki, startFakeLoki } from '../support/fake-loki.js';
import { runCli } from '../support/run-cli.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('the logs API');

/** Short batches, so lines are queryable within a fraction of a second. */
const FAST_SHIPPING = { AETHER_LOG_LEVEL: 'info', AETHER_LOG_BATCH_INTERVAL_MS: '100' };

async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

function describeLogsApi(backend: string, start: () => Promise<{ node: TestNode; loki?: FakeLoki }>): void {
  describe.skipIf(!canRun)(`logs from ${backend}`, () => {
    let node: TestNode;
    let loki: FakeLoki | undefined;
    let alice: AetherClient;
    let bob: AetherClient;
    let aliceKey: string;
    let vmName: string;
    let marker: string;
    let executionId: string;

    beforeAll(async () => {
      ({ node, loki } = await start());
      aliceKey = (await node.client.createKey({ name: 'alice', project: 'alice' })).secret;
      const bobKey = (await node.client.createKey({ name: 'bob', project: 'bob' })).secret;
      alice = new AetherClient({ baseUrl: node.url, token: aliceKey });
      bob = new AetherClient({ baseUrl: node.url, token: bobKey });
      vmName = `logs-${randomUUID().slice(0, 8)}`;
      await alice.createVm({ name: vmName }, { wait: true });
      marker = `marker-${randomUUID()}`;
      const ran = await alice.execute(
        vmName,
        { command: 'sh', args: ['-c', `echo "${marker} out"; echo "${marker} err" >&2; echo second line`] },
        { wait: true },
      );
      executionId = ran.execution!.id;
    }, 120_000);

    afterAll(async () => {
      await node?.stop();
      await loki?.close();
    });

    const markerLines = (client: AetherClient, filter: object = {}) =>
      eventually(
        async () => (await client.queryLogs({ text: marker, order: 'asc', ...filter })).lines,
        (lines: LogLine[]) => lines.length >= 2,
      );

    it('ships command output as lines, labelled by VM, execution and stream', async () => {
      const lines = await markerLines(alice, { vm_id: vmName });
      expect(lines.map((l) => [l.message, l.fields.stream])).toEqual([
        [`${marker} out`, 'stdout'],
        [`${marker} err`, 'stderr'],
      ]);
      for (const line of lines) {
        expect(line).toMatchObject({ project: 'alice', execution_id: executionId, level: 'info' });
        expect(line.vm_id).toMatch(/^[0-9a-f-]{36}$/);
        expect(line.task_id).toBeTruthy();
      }
      // Order across stdout and stderr is the order the worker read them in: compare as sets.
      const all = (await alice.queryLogs({ execution_id: executionId, order: 'asc' })).lines;
      expect(all.map((l) => l.message).sort()).toEqual([`${marker} err`, `${marker} out`, 'second line']);
    });

    it('filters by level, time and limit, newest first by default', async () => {
      await markerLines(alice);
      expect((await alice.queryLogs({ execution_id: executionId, level: 'error' })).lines).toEqual([]);
      const oldestFirst = (await alice.queryLogs({ execution_id: executionId, order: 'asc' })).lines;
      const newest = await alice.queryLogs({ execution_id: executionId, limit: 1 });
      expect(newest.order).toBe('desc');
      expect(newest.lines).toEqual([oldestFirst.at(-1)]);
      const oldest = await alice.queryLogs({ execution_id: executionId, limit: 1, order: 'asc' });
      expect(oldest.lines).toEqual([oldestFirst[0]]);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect((await alice.queryLogs({ execution_id: executionId, start: future })).lines).toEqual([]);
      const refused = await alice.queryLogs({ limit: 5000 }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
      const backwards = await alice
        .queryLogs({ start: new Date().toISOString(), end: new Date(0).toISOString() })
        .catch((e: unknown) => e);
      expect(backwards).toMatchObject({ status: 400, code: 'ERR_VALIDATION' });
    });

    it("shows a project only its own lines, and admins everyone's", async () => {
      await markerLines(alice);
      expect((await bob.queryLogs({ text: marker })).lines).toEqual([]);
      expect((await bob.queryLogs({ execution_id: executionId })).lines).toEqual([]);
      // Alice's VM by name is not bob's to ask about.
      await expect(bob.queryLogs({ vm_id: vmName })).rejects.toMatchObject({ status: 404 });
      const bobsView = (await bob.queryLogs({ limit: 1000 })).lines;
      expect(bobsView.filter((l) => l.project !== 'bob')).toEqual([]);
      const alicesView = (await alice.queryLogs({ limit: 1000 })).lines;
      expect(alicesView.filter((l) => l.project !== 'alice')).toEqual([]);
      expect((await node.client.queryLogs({ text: marker })).lines).toHaveLength(2);
    });

    it('follows new lines over a WebSocket, with the same filters and tenancy', async () => {
      await markerLines(alice);
      const stop = new AbortController();
      const seen: string[] = [];
      const bobSaw: LogLine[] = [];
      const fresh = `follow-${randomUUID()}`;
      const reading = (async () => {
        for await (const { line } of alice.followLogs(
          { vm_id: vmName, backlog: 0 },
          { signal: stop.signal },
        )) {
          seen.push(line.message);
          if (line.message === fresh) break;
        }
      })();
      const bobReading = (async () => {
        for await (const { line } of bob.followLogs({ backlog: 1000 }, { signal: stop.signal }))
          bobSaw.push(line);
      })();
      try {
        // Connected and polling before the command runs: a backlog of 0 sends only what is new.
        await sleep(500);
        await alice.execute(vmName, { command: 'echo', args: [fresh] }, { wait: true });
        await Promise.race([reading, sleep(15_000)]);
      } finally {
        stop.abort();
        await Promise.allSettled([reading, bobReading]);
      }
      expect(seen).toContain(fresh);
      expect(seen).not.toContain(`${marker} out`);
      expect(bobSaw.filter((l) => l.project !== 'bob')).toEqual([]);
    });

    it('serves the tail as Server-Sent Events too', async () => {
      await markerLines(alice);
      const stop = new AbortController();
      const res = await fetch(`${node.url}/api/v1/logs/stream?execution_id=${executionId}&backlog=1`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${aliceKey}` },
        signal: stop.signal,
      });
      try {
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
        let text = '';
        const decoder = new TextDecoder();
        for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
          text += decoder.decode(part, { stream: true });
          if (/event: line\ndata: .*\n\n/.test(text)) break;
        }
        const data = /event: line\ndata: (.*)\n\n/.exec(text)![1]!;
        expect(JSON.parse(data)).toMatchObject({ type: 'line', line: { execution_id: executionId } });
      } finally {
        stop.abort();
      }
    });

    it('refuses a tail for a VM the caller cannot see, before the upgrade', async () => {
      const tail = bob.followLogs({ vm_id: vmName });
      await expect(tail.next()).rejects.toMatchObject({ status: 404, code: 'ERR_VM_NOT_FOUND' });
    });

    it('answers `aether logs` on the CLI', async () => {
      await markerLines(alice);
      const env = node.url;
      const found = await runCli(env, ['logs', '--vm', vmName, '--grep', marker]);
      expect(found.stderr).toBe('');
      expect(found.code).toBe(0);
      const lines = found.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        new RegExp(`INFO +worker +vm=[0-9a-f]{8} exec=[0-9a-f]{8} \\[stdout\\] ${marker} out$`),
      );
      const json = await runCli(env, ['logs', '--execution', executionId, '--limit', '1', '--json']);
      const printed = JSON.parse(json.stdout) as LogLine[];
      expect(printed).toHaveLength(1);
      expect(printed[0]).toMatchObject({ execution_id: executionId, project: 'alice' });
      const bad = await runCli(env, ['logs', '--since', 'yesterday']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/ERR_VALIDATION: --since: use a duration/);
    }, 60_000);
  });
}

describeLogsApi('the store', async () => ({ node: await startTestNode(FAST_SHIPPING) }));

describeLogsApi('Loki', async () => {
  const loki = await startFakeLoki();
  const node = await startTestNode({
    ...FAST_SHIPPING,
    AETHER_LOG_PROVIDER: 'loki',
    AETHER_LOKI_URL: loki.url,
  });
  return { node, loki };
});

describe.skipIf(!canRun)('logs of the platform itself', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode(FAST_SHIPPING);
  }, 120_000);
  afterAll(async () => {
    await node?.stop();
  });

  it('carry the task, VM, project, service and worker of the work they are about', async () => {
    const created = await node.client.createVm({ name: `plat-${randomUUID().slice(0, 8)}` }, { wait: true });
    const lines = await eventually(
      async () => (await node.client.queryLogs({ task_id: created.task_id })).lines,
      (found) => found.length > 0,
    );
    expect(lines.find((l) => l.message === 'vm:create completed')).toMatchObject({
      level: 'info',
      service: 'up',
      project: 'default',
      task_id: created.task_id,
      vm_id: created.vm.id,
      worker: expect.any(String),
      fields: { task_type: 'vm:create' },
    });
  });

  it("keep the platform's own lines (no project) for admins", async () => {
    // Whatever the node logs at info (start-up reconciliation, ...) lands without a project.
    const platform = await eventually(
      async () => (await node.client.queryLogs({ limit: 1000 })).lines.filter((l) => l.project === null),
      (lines) => lines.length > 0,
    );
    expect(platform[0]!.service).toBe('up');
    const key = (await node.client.createKey({ name: 'carol', project: 'carol' })).secret;
    const carol = new AetherClient({ baseUrl: node.url, token: key });
    expect((await carol.queryLogs({ limit: 1000 })).lines.filter((l) => l.project === null)).toEqual([]);
  });
});

describe.skipIf(!canRun)('logs under a flood of command output', () => {
  /** Small caps, so a flood of a few thousand lines is past the output cap many times over. */
  const CAPS = { platform: 2000, output: 300 };
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode({
      ...FAST_SHIPPING,
      AETHER_LOG_STORE_MAX_ROWS: String(CAPS.platform),
      AETHER_LOG_STORE_OUTPUT_MAX_ROWS: String(CAPS.output),
    });
  }, 120_000);
  afterAll(async () => {
    await node?.stop();
  });

  const droppedTotal = async (reason: string, kind: string) => {
    const res = await fetch(`${node.url}/metrics`, {
      headers: { authorization: `Bearer ${node.node.localAdminKey}` },
    });
    const text = await res.text();
    const sample = new RegExp(
      `^aether_log_lines_dropped_total\\{reason="${reason}",kind="${kind}"\\} (\\d+)`,
      'm',
    );
    return Number(sample.exec(text)?.[1] ?? Number.NaN);
  };

  it("keeps the platform's warnings, and counts what it dropped as output", async () => {
    const name = `flood-${randomUUID().slice(0, 8)}`;
    const vm = (await node.client.createVm({ name }, { wait: true })).vm;
    // A real warning of the platform: a command that cannot start fails its task ("vm:execute failed").
    await node.client.execute(name, { command: '/nonexistent/command' }, { wait: true }).catch(() => {});
    const warnings = await eventually(
      async () => (await node.client.queryLogs({ vm_id: vm.id, level: 'warn', order: 'asc' })).lines,
      (lines) => lines.length > 0,
    );
    expect(warnings.map((l) => l.message)).toContain('vm:execute failed');

    const floods: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ran = await node.client.execute(name, { command: 'seq', args: ['1', '4000'] }, { wait: true });
      expect(ran.execution?.exit_code).toBe(0);
      floods.push(ran.execution!.id);
    }
    // The store cuts output to its cap as it comes (a prune follows every tenth of a cap written).
    const lastFlood = async () =>
      (await node.client.queryLogs({ execution_id: floods[2]!, limit: 1000, order: 'asc' })).lines;
    const left = await eventually(
      lastFlood,
      (lines) => lines.at(-1)?.message === '4000' && lines.length <= CAPS.output * 1.1,
      30_000,
    );
    expect(left.at(-1)?.message).toBe('4000');
    expect(left.length).toBeLessThanOrEqual(CAPS.output * 1.1);
    for (const id of floods.slice(0, 2)) {
      expect((await node.client.queryLogs({ execution_id: id })).lines).toEqual([]);
    }

    // Every warning is still there, and the counter says it was output that went.
    const after = (await node.client.queryLogs({ vm_id: vm.id, level: 'warn', order: 'asc' })).lines;
    expect(after).toEqual(warnings);
    // Output goes first, for either reason: evicted by the cap (counted as each prune ends,
    // which may be a moment after the lines above are gone) or, when the flood outran the
    // store, dropped from the full buffer before it was written.
    const outputDropped = async () =>
      (await droppedTotal('store_full', 'output')) + (await droppedTotal('buffer_full', 'output'));
    const dropped = await eventually(outputDropped, (n) => n >= 3 * 4000 - CAPS.output * 1.1);
    expect(dropped).toBeGreaterThanOrEqual(3 * 4000 - CAPS.output * 1.1);
    for (const reason of ['buffer_full', 'rejected', 'store_full']) {
      expect(await droppedTotal(reason, 'platform'), reason).toBe(0);
    }
  }, 120_000);
});
