import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status this receiver answered with. */
  answered: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 that records every request and answers with whatever
 * `answer` says for it (by its number, from 1). `close()` then `listen()` again on the same port
 * makes the sender see a refused connection in between.
 */
export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  answer: (n: number) => number;
  listen(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(
  answer: (n: number) => number = () => 200,
): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    port: 0,
    received: [],
    answer,
    listen: () =>
      new Promise((resolve, reject) => {
        server = createServer();
        server.once('error', reject);
        server.listen(receiver.port, '127.0.0.1', () => {
          receiver.port = (server!.address() as AddressInfo).port;
          receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
          resolve();
        });
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
        server = null;
      }),
  };
  const createServer = () =>
    http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const answered = receiver.answer(receiver.received.length + 1);
        receiver.received.push({
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          answered,
        });
        response.writeHead(answered, { connection: 'close' }).end();
      });
    });
  let server: http.Server | null = null;
  await receiver.listen();
  return receiver;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
