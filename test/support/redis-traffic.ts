/**
 * What a Redis client is sent, seen from outside it: a TCP relay between the client and Redis
 * that keeps every byte Redis sends through it. No MONITOR (which shows commands, not
 * deliveries) and nothing inside the client under test.
 */
import net from 'node:net';

export interface RedisTrafficRelay {
  /** The Redis URL to give the client: same credentials and database, through the relay. */
  url: string;
  /** Everything Redis sent to the clients connected through the relay, so far. */
  received(): Buffer;
  /** The channels of the pub/sub messages delivered through the relay (`message` and `pmessage`), in order. */
  deliveredChannels(): string[];
  close(): Promise<void>;
}

// Pub/sub deliveries, RESP2 arrays (`*`) or RESP3 pushes (`>`): ["message", channel, payload] and
// ["pmessage", pattern, channel, payload]. A JSON payload holds no raw CR or LF, so the frames are
// found by their shape.
const MESSAGE = /[*>]3\r\n\$7\r\nmessage\r\n\$\d+\r\n([^\r]*)\r\n/g;
const PMESSAGE = /[*>]4\r\n\$8\r\npmessage\r\n\$\d+\r\n[^\r]*\r\n\$\d+\r\n([^\r]*)\r\n/g;

export async function startRedisRelay(redisUrl: string): Promise<RedisTrafficRelay> {
  const target = new URL(redisUrl);
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const redis = net.connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, redis]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    redis.on('data', (data: Buffer) => received.push(data));
    client.pipe(redis).pipe(client);
    client.on('close', () => redis.destroy());
    redis.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayed = new URL(target.href);
  relayed.hostname = '127.0.0.1';
  relayed.port = String((server.address() as net.AddressInfo).port);
  const all = () => Buffer.concat(received);
  return {
    url: relayed.href,
    received: all,
    deliveredChannels() {
      const text = all().toString('latin1');
      const found = [...text.matchAll(MESSAGE), ...text.matchAll(PMESSAGE)];
      return found.sort((a, b) => a.index - b.index).map((match) => match[1]!);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
