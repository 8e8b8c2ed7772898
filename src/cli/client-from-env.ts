import { AetherClient } from '../client/client.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Every client command reaches the gateway; none opens the data directory itself. */
export function clientFromEnv(env: NodeJS.ProcessEnv = process.env): AetherClient {
  return new AetherClient({
    baseUrl: env.AETHER_URL || DEFAULT_URL,
    ...(env.AETHER_TOKEN ? { token: env.AETHER_TOKEN } : {}),
  });
}
