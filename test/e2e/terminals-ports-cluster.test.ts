import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postgresAvailable, redisAvailable } from '../support/backends.js';
import { portForward } from '../support/port-forward.js';
import { runCommand } from '../support/run-command.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { useTwoWorkerCluster } from '../support/two-worker-cluster.js';
import { WS_ECHO_GUEST_SCRIPT } from '../support/ws-echo-guest.js';

const canRun =
  (await sandboxesAvailable('terminals and ports on a cluster')) &&
  (await postgresAvailable()) &&
  (await redisAvailable());

describe.skipIf(!canRun)('terminals and ports across processes (gateway + 2 workers)', () => {
  const { api, vms, owners, cluster } = useTwoWorkerCluster('tp', canRun);
  const post = (p: string, body: unknown) =>
    fetch(api(p), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('serves HTTP and WebSocket from a VM without network through port-forward, 20 connections at once', async () => {
    expect(owners().length).toBe(2);
    for (const vm of owners()) {
      await fetch(api(`/vms/${vm.id}/files?path=ws-echo.cjs`), {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: WS_ECHO_GUEST_SCRIPT,
      });
      for (const [command, args] of [
        ['python3', ['-m', 'http.server', '3000', '--bind', '127.0.0.1']],
        ['node', ['ws-echo.cjs', '3001']],
      ] as const) {
        const started = await post(`/vms/${vm.id}/execute`, { command, args, timeout_ms: 0 });
        expect(started.status, await started.clone().text()).toBe(202);
      }
      await fetch(api(`/vms/${vm.id}/files?path=hello.txt`), {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: `hello from ${vm.id}\n`,
      });
      const http = await portForward(cluster().url, vm.id, 3000);
      const ws = await portForward(cluster().url, vm.id, 3001);
      try {
        // The servers take a moment to listen: retry the first request.
        let first: Response | null = null;
        for (let i = 0; i < 50 && !first?.ok; i++) {
          first = await fetch(`http://127.0.0.1:${http.local}/hello.txt`).catch(() => null);
          if (!first?.ok) await sleep(200);
        }
        expect(await first!.text()).toBe(`hello from ${vm.id}\n`);
        const many = await Promise.all(
          Array.from({ length: 20 }, () =>
            fetch(`http://127.0.0.1:${http.local}/hello.txt`).then(async (r) => [r.status, await r.text()]),
          ),
        );
        for (const [status, text] of many) {
          expect(status).toBe(200);
          expect(text).toBe(`hello from ${vm.id}\n`);
        }

        let socket: WebSocket | null = null;
        for (let i = 0; i < 50 && !socket; i++) {
          socket = await new Promise<WebSocket | null>((resolve) => {
            const s = new WebSocket(`ws://127.0.0.1:${ws.local}/`);
            s.once('open', () => resolve(s));
            s.once('error', () => resolve(null));
          });
          if (!socket) await sleep(200);
        }
        const echoed = await new Promise<string>((resolve) => {
          socket!.once('message', (data) => resolve(String(data)));
          socket!.send('ping through the tunnel');
        });
        expect(echoed).toBe('ping through the tunnel');
        socket!.close();
      } finally {
        http.stop();
        ws.stop();
      }
    }
  }, 180_000);

  it('serves the same VMs through preview URLs (curl, a WebSocket client), until revoked', async () => {
    for (const vm of owners()) {
      const made = async (port: number) => {
        const res = await post(`/vms/${vm.id}/previews`, { port, expires_in: '10m' });
        expect(res.status, await res.clone().text()).toBe(201);
        return (await res.json()) as { id: string; url: string };
      };
      const page = await made(3000);
      const curl = await runCommand(
        ['curl', '-sS', '--fail-with-body', '--max-time', '20', `${page.url}hello.txt`],
        {
          timeoutMs: 30_000,
        },
      );
      expect(curl.stdout, curl.stderr).toBe(`hello from ${vm.id}\n`);

      const echo = await made(3001);
      const socket = new WebSocket(echo.url.replace(/^http/, 'ws'));
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      const echoed = await new Promise<string>((resolve) => {
        socket.once('message', (data) => resolve(String(data)));
        socket.send('through a preview');
      });
      expect(echoed).toBe('through a preview');
      socket.close();

      const revoked = await fetch(api(`/vms/${vm.id}/previews/${page.id}`), { method: 'DELETE' });
      expect(revoked.status).toBe(200);
      const after = await fetch(`${page.url}hello.txt`);
      expect(after.status).toBe(404);
    }
  }, 120_000);

  it('answers 502 ERR_PORT_UNREACHABLE for a port nobody listens on', async () => {
    const vm = vms[0]!;
    const refused = await new Promise<{ status: number; body: string }>((resolve) => {
      const s = new WebSocket(api(`/vms/${vm.id}/ports/3999/connect`).replace('http', 'ws'));
      s.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      s.once('open', () => resolve({ status: 101, body: '' }));
    });
    expect(refused.status).toBe(502);
    expect(JSON.parse(refused.body).error.code).toBe('ERR_PORT_UNREACHABLE');
  }, 60_000);

  it('runs a terminal session on either worker: typing, resize, exit status', async () => {
    for (const vm of owners()) {
      const opened = await post(`/vms/${vm.id}/terminals`, {
        command: ['bash', '--norc'],
        cols: 90,
        rows: 20,
      });
      expect(opened.status, await opened.clone().text()).toBe(201);
      const { id } = (await opened.json()) as { id: string };
      const socket = new WebSocket(api(`/vms/${vm.id}/terminals/${id}/attach`).replace('http', 'ws'));
      let screen = '';
      let exit: { exit_code: number } | null = null;
      socket.on('message', (data, binary) => {
        if (binary) screen += String(data);
        else exit = JSON.parse(String(data));
      });
      await new Promise((resolve) => socket.once('open', resolve));
      const waitFor = async (pattern: RegExp) => {
        for (let i = 0; i < 150 && !pattern.test(screen); i++) await sleep(100);
        expect(screen).toMatch(pattern);
      };
      socket.send(Buffer.from('stty size; echo sum-$((20+22))\r'));
      await waitFor(/20 90\r?\n/);
      await waitFor(/sum-42/);
      socket.send(JSON.stringify({ type: 'resize', cols: 132, rows: 43 }));
      await sleep(300);
      socket.send(Buffer.from('stty size\r'));
      await waitFor(/43 132/);
      socket.send(Buffer.from('exit 7\r'));
      await new Promise((resolve) => socket.once('close', resolve));
      expect(exit).toMatchObject({ exit_code: 7 });
    }
  }, 120_000);
});
