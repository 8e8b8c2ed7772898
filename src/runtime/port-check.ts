/**
 * Whether the gateway's address can be listened on, asked before anything else opens: a port
 * already in use is then reported at once, not after the embedded database, the drivers and the
 * worker have started (seconds on a loaded machine) only to be closed again.
 */
import net from 'node:net';

/**
 * Listens on `host:port` and closes again; rejects with the listen error (EADDRINUSE, EACCES,
 * EADDRNOTAVAIL: `syscall` 'listen'), which start-up reports as for the real listen. Port 0 (any
 * free port) is not checked. The real listen can still fail if another process takes the port
 * in between; it then reports the same error.
 */
export async function checkListenable(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ host, port, exclusive: true }, () => resolve());
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
