/**
 * The ceiling any HTTP file API can reach on this machine: a bare `node:http` server, in a process
 * of its own, that streams a PUT body into a file and a GET answer out of it — no auth, no
 * routing, no agent. `node --import tsx bench/bare-file-server.ts DIR` prints its port, then
 * serves until its stdin closes.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const file = path.join(process.argv[2] ?? '.', 'bare.bin');

const server = http.createServer((req, res) => {
  const done = (error?: unknown) => {
    if (error && !res.headersSent) res.writeHead(500);
    res.end();
  };
  if (req.method === 'PUT') {
    pipeline(req, createWriteStream(file)).then(() => {
      res.statusCode = 201;
      done();
    }, done);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), res).catch(done);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
// Ends with its parent: the bench closes stdin (or dies) and the server goes with it.
process.stdin.resume();
process.stdin.on('end', () => server.close(() => process.exit(0)));
