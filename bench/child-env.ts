/** What every process the bench starts shares: an environment of its own and a free port. */
import { createServer } from 'node:net';

/**
 * The parent's environment without any Aetherium setting (nor DATABASE_URL / REDIS_URL, which
 * would turn an embedded node into a cluster one), plus `extra`: only the bench's settings reach
 * the child.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AETHER_') && key !== 'DATABASE_URL' && key !== 'REDIS_URL') env[key] = value;
  }
  return { ...env, ...extra };
}

/** A loopback port nothing listens on right now (the child binds it a moment later). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}
