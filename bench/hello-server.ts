/**
 * The app both sides of the tunnel benchmark serve: plain `node:http`, one fixed small body,
 * keep-alive kept open, nothing but built-ins (it runs on the host and inside a VM alike, as
 * `node -e SOURCE PORT`). It prints `listening <port>` once bound; port 0 takes a free one.
 */
import { startListeningProcess } from './listening-process.js';

export const HELLO_SERVER_SOURCE = String.raw`
const http = require('node:http');
const body = Buffer.from('hello from the app\n');
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

/** The app on this host, in a process of its own, on a free loopback port. */
export async function startHostHelloServer(): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const server = await startListeningProcess(HELLO_SERVER_SOURCE, ['0']);
  return { url: `http://127.0.0.1:${server.port}/`, port: server.port, stop: server.stop };
}
