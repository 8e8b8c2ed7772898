/**
 * The least any tunnel with our hop count can cost: three Node processes in a chain (as the
 * port-forward CLI, the gateway and worker, and the guest agent are), each relaying a TCP
 * connection's bytes to the next with `pipe` and nothing else (no WebSocket, no framing, no
 * flow-control messages, no sandbox), the last one to the app. Requests through it show what the
 * hops alone cost on this machine, next to the port-forward.
 */
import { type ListeningProcess, startListeningProcess } from './listening-process.js';

export const RELAY_HOPS = 3;

/** `node -e` source: accepts on a free loopback port, relays each connection to port argv[1]. */
const RELAY_SOURCE = `
const net = require('node:net');
const target = Number(process.argv[1]);
const server = net.createServer({ noDelay: true }, (client) => {
  const upstream = net.connect({ host: '127.0.0.1', port: target, noDelay: true });
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

/** A chain of RELAY_HOPS relays in front of the app on `appPort`; `url` is the first one's. */
export async function startBareRelayChain(appPort: number): Promise<{ url: string; stop(): Promise<void> }> {
  const relays: ListeningProcess[] = [];
  const stop = async () => {
    for (const relay of relays.reverse()) await relay.stop();
  };
  try {
    let next = appPort;
    for (let i = 0; i < RELAY_HOPS; i++) {
      const relay = await startListeningProcess(RELAY_SOURCE, [String(next)]);
      relays.push(relay);
      next = relay.port;
    }
    return { url: `http://127.0.0.1:${next}/`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
