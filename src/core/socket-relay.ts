/**
 * A byte stream carried over a WebSocket as binary frames, both ways, with backpressure: a full
 * stream pauses the socket's reading, a full socket pauses the stream. Used on each hop of a port
 * connection (the CLI's local connection ↔ the gateway, the gateway ↔ the tunnel into the VM),
 * where a stream layer more per hop cost a measurable share of the requests a tunnel carries.
 * Either side ending closes the other: WebSockets have no half-close.
 */
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';

/** Send-buffer level above which the stream is paused until the socket catches up. */
const SEND_HIGH_WATER_BYTES = 1024 * 1024;
/** After the socket closed, how long the stream has to take what is still queued for it. */
const FLUSH_GRACE_MS = 5000;

export function relayWebSocket(socket: WebSocket, stream: Duplex): void {
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    if (!isBinary) return;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (!stream.write(bytes)) socket.pause();
  });
  stream.on('drain', () => socket.resume());
  stream.on('data', (chunk: Buffer) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount < SEND_HIGH_WATER_BYTES) {
      socket.send(chunk, { binary: true });
      return;
    }
    stream.pause();
    socket.send(chunk, { binary: true }, () => stream.resume());
  });
  const closeSocket = () => {
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(1000);
  };
  stream.on('end', closeSocket);
  stream.on('close', closeSocket);
  stream.on('error', () => socket.terminate());
  // What the socket brought is still written out before the stream goes (a response's last bytes).
  socket.on('close', () => {
    stream.end(() => stream.destroy());
    setTimeout(() => stream.destroy(), FLUSH_GRACE_MS).unref();
  });
  socket.on('error', () => stream.destroy());
}
