/**
 * Servers tests start inside a VM, written for what every guest has (node, python3) and nothing
 * else: no npm packages in a guest. The WebSocket echo server does the handshake and framing by
 * hand (RFC 6455: text and binary frames up to 64 KiB, masked from the client), enough for tests.
 */

/** `node -e` source of a WebSocket echo server on 127.0.0.1:PORT (argv[1]). */
export const WS_ECHO_SERVER = String.raw`
const http = require('node:http');
const crypto = require('node:crypto');
const port = Number(process.argv[1]);
const server = http.createServer((req, res) => { res.end('not a websocket\n'); });
server.on('upgrade', (req, socket) => {
  const key = req.headers['sec-websocket-key'];
  const accept = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\n\r\n');
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const op = buf[0] & 0x0f;
      let len = buf[1] & 0x7f;
      let at = 2;
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); at = 4; }
      else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); at = 10; }
      const masked = (buf[1] & 0x80) !== 0;
      const need = at + (masked ? 4 : 0) + len;
      if (buf.length < need) return;
      const mask = masked ? buf.subarray(at, at + 4) : null;
      const payload = Buffer.from(buf.subarray(at + (masked ? 4 : 0), need));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
      buf = buf.subarray(need);
      if (op === 8) { socket.end(Buffer.from([0x88, 0])); return; }
      if (op === 9) { socket.write(Buffer.concat([Buffer.from([0x8a, payload.length]), payload])); continue; }
      if (op !== 1 && op !== 2) continue;
      const head = payload.length < 126 ? Buffer.from([0x80 | op, payload.length])
        : Buffer.from([0x80 | op, 126, payload.length >> 8, payload.length & 0xff]);
      socket.write(Buffer.concat([head, payload]));
    }
  });
  socket.on('error', () => {});
});
server.listen(port, '127.0.0.1', () => console.log('ws-echo listening on ' + port));
`;
