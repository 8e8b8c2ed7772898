/**
 * Reading execution streams in tests: whole WebSocket or SSE streams, the bytes of each output
 * stream, the checks every stream must pass, and a TCP relay that can drop its connections.
 */
import net from 'node:net';
import type { AetherClient } from '@aetherium/sdk';
import { chunkBytes, type ExecutionStreamChunk, type ExecutionStreamMessage } from '@aetherium/sdk';
import { expect } from 'vitest';
import { type OutputStream, outputText } from '../../src/core/output.js';

export interface ReadStream {
  chunks: ExecutionStreamChunk[];
  end: Exclude<ExecutionStreamMessage, ExecutionStreamChunk> | null;
}

/** Reads a whole stream over one WebSocket (or stops after `limit` chunks). */
export async function readWebSocket(
  client: AetherClient,
  executionId: string,
  options: { afterSeq?: number; limit?: number } = {},
): Promise<ReadStream> {
  const chunks: ExecutionStreamChunk[] = [];
  const stream = client.openExecutionStream(executionId, { afterSeq: options.afterSeq ?? 0 });
  for await (const message of stream) {
    if (message.type !== 'chunk') return { chunks, end: message };
    chunks.push(message);
    if (options.limit !== undefined && chunks.length >= options.limit) break;
  }
  return { chunks, end: null };
}

/** The bytes of one output stream, in seq order. */
export function streamBytes(chunks: readonly ExecutionStreamChunk[], stream: OutputStream): Buffer {
  return Buffer.concat(chunks.filter((c) => c.stream === stream).map(chunkBytes));
}

/** What an execution record holds for these bytes: their text, NUL as U+FFFD. */
export function recordText(bytes: Buffer): string {
  return outputText(bytes).replaceAll('\u0000', '\uFFFD');
}

/** Seqs run on from `afterSeq` with no gap or repeat; offsets run on within each stream. */
export function expectWellFormed(
  chunks: readonly ExecutionStreamChunk[],
  afterSeq = 0,
  startOffsets: Record<OutputStream, number> = { stdout: 0, stderr: 0 },
): void {
  const offsets = { ...startOffsets };
  chunks.forEach((chunk, i) => {
    expect(chunk.seq, `chunk ${i}`).toBe(afterSeq + i + 1);
    expect(chunk.offset, `offset of chunk ${chunk.seq}`).toBe(offsets[chunk.stream]);
    offsets[chunk.stream] += chunkBytes(chunk).byteLength;
  });
}

export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

/** Reads SSE events from a fetch answer until it ends (or `until` says stop). */
export async function readSse(response: Response, until?: (event: SseEvent) => boolean): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const part of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(part, { stream: true });
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
      }
      if (!fields.has('data')) continue;
      const event = {
        id: fields.get('id') ?? null,
        event: fields.get('event') ?? 'message',
        data: fields.get('data')!,
      };
      events.push(event);
      if (until?.(event)) return events;
    }
  }
  return events;
}

export interface Relay {
  url: string;
  /** How many connections opened with a request for an execution stream so far. */
  streamConnections(): number;
  /** Cuts every connection that opened with a request for an execution stream. */
  dropStreams(): void;
  close(): Promise<void>;
}

/**
 * A TCP relay to `target` that can cut the connections carrying execution streams, as a flaky
 * network would, and leave the others (the request that starts the command) alone.
 */
export async function startRelay(target: URL): Promise<Relay> {
  const streams = new Set<net.Socket>();
  const all = new Set<net.Socket>();
  let opened = 0;
  const server = net.createServer((incoming) => {
    const outgoing = net.connect(Number(target.port), target.hostname);
    for (const socket of [incoming, outgoing]) {
      all.add(socket);
      socket.on('close', () => {
        all.delete(socket);
        streams.delete(socket);
      });
      socket.on('error', () => {});
    }
    incoming.once('data', (first: Buffer) => {
      if (/^GET \S*\/executions\/[^/\s]+\/stream/.test(first.toString('latin1'))) {
        opened++;
        streams.add(incoming);
        streams.add(outgoing);
      }
    });
    incoming.pipe(outgoing).pipe(incoming);
    incoming.on('close', () => outgoing.destroy());
    outgoing.on('close', () => incoming.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    streamConnections: () => opened,
    dropStreams() {
      for (const socket of streams) socket.resetAndDestroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of all) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
